package dev.courier.client.internal.store;

import dev.courier.client.CourierException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Callable;
import org.sqlite.SQLiteConfig;

/// The device's own SQLite file, `device.db` in the device directory: keys, sessions, identities,
/// contacts, history and outbox. One connection, used under this object's monitor, so libsignal's
/// store calls and the client's own writes never interleave.
///
/// The file is created `0600` in a `0700` directory: it holds private keys and plaintext history.
public final class DeviceStore implements AutoCloseable {
    public static final String FILE_NAME = "device.db";

    private final Connection connection;
    private final Path file;
    private int transactionDepth;

    private DeviceStore(Path file, Connection connection) {
        this.file = file;
        this.connection = connection;
    }

    public static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve(FILE_NAME));
    }

    /// Opens (creating when asked) the store in `dir`.
    public static DeviceStore open(Path dir, boolean create) {
        Path file = dir.resolve(FILE_NAME);
        if (!create && !Files.isRegularFile(file)) throw new CourierException.NotRegistered(dir.toString());
        try {
            Files.createDirectories(dir);
            restrict(dir, "rwx------");
            if (!Files.exists(file)) {
                Files.createFile(file);
            }
            restrict(file, "rw-------");
            SQLiteConfig config = new SQLiteConfig();
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
            config.setBusyTimeout(10_000);
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties());
            DeviceStore store = new DeviceStore(file, c);
            store.migrate();
            return store;
        } catch (IOException | SQLException e) {
            throw new CourierException("cannot open the device store at " + file + ": " + e.getMessage(), e);
        }
    }

    private static void restrict(Path path, String permissions) throws IOException {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
        } catch (UnsupportedOperationException ignored) {
            // Not POSIX: the platform's own defaults apply.
        }
    }

    public Path file() {
        return file;
    }

    private void migrate() throws SQLException {
        try (Statement st = connection.createStatement()) {
            for (String ddl : Schema.STATEMENTS) st.execute(ddl);
        }
    }

    /// Runs `work` in one transaction (nested calls join the outer one), under the store's lock.
    public synchronized <T> T transaction(Callable<T> work) {
        boolean outer = transactionDepth == 0;
        try {
            if (outer) connection.setAutoCommit(false);
            transactionDepth++;
            T result = work.call();
            transactionDepth--;
            if (outer) {
                connection.commit();
                connection.setAutoCommit(true);
            }
            return result;
        } catch (Exception e) {
            transactionDepth--;
            if (outer) {
                try {
                    connection.rollback();
                    connection.setAutoCommit(true);
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
            }
            if (e instanceof RuntimeException re) throw re;
            throw new StoreException(e);
        }
    }

    /// A checked failure inside a transaction, carried out unchecked.
    public static final class StoreException extends RuntimeException {
        public StoreException(Exception cause) {
            super(cause.getMessage(), cause);
        }
    }

    // ---- small typed helpers for the table classes in this package ----

    synchronized PreparedStatement prepare(String sql) throws SQLException {
        return connection.prepareStatement(sql);
    }

    synchronized int update(String sql, Object... args) {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    synchronized <T> java.util.List<T> query(String sql, RowMapper<T> mapper, Object... args) {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            bind(ps, args);
            java.util.List<T> out = new java.util.ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(mapper.map(rs));
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    synchronized <T> java.util.Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... args) {
        java.util.List<T> rows = query(sql, mapper, args);
        return rows.isEmpty() ? java.util.Optional.empty() : java.util.Optional.ofNullable(rows.getFirst());
    }

    private static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            switch (a) {
                case null -> ps.setNull(i + 1, java.sql.Types.NULL);
                case byte[] b -> ps.setBytes(i + 1, b);
                case Integer n -> ps.setInt(i + 1, n);
                case Long n -> ps.setLong(i + 1, n);
                case Boolean b -> ps.setInt(i + 1, b ? 1 : 0);
                default -> ps.setString(i + 1, a.toString());
            }
        }
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }
}
