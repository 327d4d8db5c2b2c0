package dev.courier.server.storage.sqlite;

import dev.courier.server.storage.Storage;
import dev.courier.server.storage.StorageException;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/// The embedded database: one file in the data directory, in WAL mode with `synchronous=FULL`.
///
/// Writes go through the [GroupCommitWriter]'s single thread; reads take a connection from a
/// small pool and run concurrently with the writer, as WAL allows.
public final class SqliteDatabase implements Storage.Database {
    private static final Logger log = LoggerFactory.getLogger(SqliteDatabase.class);
    static final String FILE_NAME = "courier.db";
    private static final int READERS = 4;

    private final Path file;
    private final GroupCommitWriter writer;
    private final BlockingQueue<SqlSession> readers;
    private final List<SqlSession> allReaders = new ArrayList<>();

    public SqliteDatabase(Path dataDir, MeterRegistry metrics) {
        this.file = dataDir.resolve(FILE_NAME);
        try {
            createPrivateDirectory(dataDir);
            SqlSession writeSession = open(false);
            SqliteMigrations.apply(writeSession);
            this.writer = new GroupCommitWriter(writeSession, metrics);
            this.readers = new ArrayBlockingQueue<>(READERS);
            for (int i = 0; i < READERS; i++) {
                SqlSession reader = open(true);
                allReaders.add(reader);
                readers.add(reader);
            }
        } catch (SQLException e) {
            throw new StorageException("cannot open the database at " + file, e);
        }
        log.info("SQLite database at {} (WAL, synchronous=FULL)", file);
    }

    <T> T write(SqlWork<T> work) {
        return writer.write(work);
    }

    /// [#write] for work that checks before it writes (see [GroupCommitWriter#writeCheckedFirst]).
    <T> T writeCheckedFirst(SqlWork<T> work) {
        return writer.writeCheckedFirst(work);
    }

    /// [#writeCheckedFirst] without waiting for the commit (see [GroupCommitWriter#writeAsyncCheckedFirst]).
    <T> CompletableFuture<T> writeAsyncCheckedFirst(SqlWork<T> work) {
        return writer.writeAsyncCheckedFirst(work);
    }

    /// A write that returns once committed, not once on disk (see [GroupCommitWriter]): only for
    /// work a power loss may undo harmlessly.
    <T> T writeWithoutSync(SqlWork<T> work) {
        return writer.writeWithoutSync(work);
    }

    <T> T read(SqlWork<T> work) {
        SqlSession session;
        try {
            session = readers.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while waiting for a database reader", e);
        }
        try {
            return work.run(session);
        } catch (SQLException e) {
            throw new StorageException("database read failed", e);
        } finally {
            readers.add(session);
        }
    }

    /// True when a reader can query the database.
    @Override
    public boolean isHealthy() {
        try {
            return read(s -> {
                try (var rs = s.prepare("SELECT 1").executeQuery()) {
                    return rs.next();
                }
            });
        } catch (StorageException e) {
            return false;
        }
    }

    @Override
    public String describe() {
        return "SQLite at " + file;
    }

    private SqlSession open(boolean readOnly) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        // FULL: a commit is on the platter (fsync of the WAL) before the writer reports success.
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.enforceForeignKeys(true);
        config.setBusyTimeout(10_000);
        config.setReadOnly(readOnly);
        config.setTempStore(SQLiteConfig.TempStore.MEMORY);
        // Nothing here asks for generated keys. With this on, the driver matched every statement
        // against a regular expression and ran `SELECT last_insert_rowid()` after each INSERT:
        // three extra statements per send on the writer thread.
        config.setGetGeneratedKeys(false);
        return new SqlSession(config.createConnection("jdbc:sqlite:" + file));
    }

    private static void createPrivateDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
            try {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            } catch (UnsupportedOperationException ignored) {
                // Not a POSIX file system; the operator secures the directory.
            }
        } catch (IOException e) {
            throw new StorageException("cannot create the data directory " + dir, e);
        }
    }

    @Override
    public void close() {
        writer.close();
        for (SqlSession reader : allReaders) {
            try {
                reader.close();
            } catch (SQLException e) {
                log.warn("closing a reader failed", e);
            }
        }
        writer.closeSession();
    }
}
