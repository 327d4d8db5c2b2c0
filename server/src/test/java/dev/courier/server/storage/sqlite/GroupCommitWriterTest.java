package dev.courier.server.storage.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.server.storage.StorageException;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// The writer's batching, and its after-commit actions: what the commit feed relies on for
/// delivery order.
class GroupCommitWriterTest {
    @TempDir
    Path dir;
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private GroupCommitWriter writer;

    /// A writer on a fresh database file, its connection first given `setup`; closed after the test.
    private void startWriter(String... setup) throws SQLException {
        var session = new SqlSession(DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("w.db")));
        for (String sql : setup) session.execute(sql);
        writer = new GroupCommitWriter(session, metrics);
    }

    @AfterEach
    void stopWriter() {
        if (writer == null) return;
        writer.close();
        writer.closeSession();
    }

    @Test
    void afterCommitActionsRunInCommitOrderAndOnlyForUnitsThatCommitted() throws Exception {
        startWriter();
        writer.write(s -> {
            s.execute("CREATE TABLE rows (seq INTEGER PRIMARY KEY AUTOINCREMENT, unit INTEGER NOT NULL)");
            return null;
        });
        List<Integer> actions = Collections.synchronizedList(new ArrayList<>());
        // Many threads at once, so that units share commits; every third one fails after
        // asking for its action, and rolls back alone.
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> units = new ArrayList<>();
            for (int i = 0; i < 600; i++) {
                int unit = i;
                units.add(threads.submit(() -> {
                    try {
                        writer.write(s -> {
                            var insert = s.prepare("INSERT INTO rows (unit) VALUES (?)");
                            insert.setInt(1, unit);
                            insert.executeUpdate();
                            s.afterCommit(() -> actions.add(unit));
                            if (unit % 3 == 0) throw new IllegalStateException("unit " + unit + " fails");
                            return null;
                        });
                    } catch (IllegalStateException expected) {
                        // Its rows and its action are gone; the others commit.
                    }
                }));
            }
            for (Future<?> f : units) f.get();
        }
        List<Integer> committed = writer.write(s -> {
            List<Integer> out = new ArrayList<>();
            try (ResultSet rs = s.prepare("SELECT unit FROM rows ORDER BY seq").executeQuery()) {
                while (rs.next()) out.add(rs.getInt(1));
            }
            return out;
        });
        assertThat(committed).hasSize(400).noneMatch(unit -> unit % 3 == 0);
        assertThat(actions).as("one action per committed unit, in the order of their rows")
                .containsExactlyElementsOf(committed);
    }

    @Test
    void workQueuedWhileABatchRunsCommitsWithThatBatch() throws Exception {
        startWriter();
        writer.write(s -> {
            s.execute("CREATE TABLE rows (unit INTEGER NOT NULL)");
            return null;
        });
        Thread[] latecomer = new Thread[1];
        writer.write(s -> {
            insert(s, 1);
            // A second write arrives while this one runs: it is queued once its caller waits.
            latecomer[0] = Thread.ofPlatform().start(() -> writer.write(s2 -> insert(s2, 2)));
            awaitWaiting(latecomer[0]);
            return null;
        });
        latecomer[0].join();

        var batches = metrics.get(GroupCommitWriter.BATCH_SIZE).summary();
        assertThat(batches.count()).as("the table's commit, then one for both rows").isEqualTo(2);
        assertThat(batches.totalAmount()).isEqualTo(3);
        int rows = writer.write(s -> {
            try (ResultSet rs = s.prepare("SELECT count(*) FROM rows").executeQuery()) {
                return rs.getInt(1);
            }
        });
        assertThat(rows).isEqualTo(2);
    }

    @Test
    void workWithoutSyncCommitsAtNormalAndSyncedWorkStaysAtTheLevelTheConnectionWasOpenedWith() throws Exception {
        startWriter("PRAGMA synchronous = FULL");
        assertThat(writer.write(GroupCommitWriterTest::syncLevel)).isEqualTo(FULL);
        assertThat(writer.writeWithoutSync(GroupCommitWriterTest::syncLevel)).isEqualTo(NORMAL);
        assertThat(writer.write(GroupCommitWriterTest::syncLevel)).as("back to FULL after an unsynced commit").isEqualTo(FULL);
        assertThat(metrics.get(GroupCommitWriter.UNSYNCED_COMMITS).counter().count()).isEqualTo(1);
    }

    @Test
    void unsyncedWorkQueuedWithSyncedWorkCommitsSyncedAndAnUnsyncedBatchTakesInNoSyncedWork() throws Exception {
        startWriter("PRAGMA synchronous = FULL");
        Thread[] queued = new Thread[2];
        int[] levels = new int[2];
        int blocker = writer.writeWithoutSync(s -> {
            // Both arrive while this unsynced unit runs: in the queue, in this order.
            queued[0] = Thread.ofPlatform().start(() -> levels[0] = writer.writeWithoutSync(GroupCommitWriterTest::syncLevel));
            awaitWaiting(queued[0]);
            queued[1] = Thread.ofPlatform().start(() -> levels[1] = writer.write(GroupCommitWriterTest::syncLevel));
            awaitWaiting(queued[1]);
            return syncLevel(s);
        });
        queued[0].join();
        queued[1].join();

        assertThat(blocker).isEqualTo(NORMAL);
        assertThat(levels).as("the unsynced unit shares the synced one's commit, at FULL").containsExactly(FULL, FULL);
        var batches = metrics.get(GroupCommitWriter.BATCH_SIZE).summary();
        assertThat(batches.count()).as("the blocker alone, then the two queued together").isEqualTo(2);
        assertThat(metrics.get(GroupCommitWriter.UNSYNCED_COMMITS).counter().count()).isEqualTo(1);
    }

    @Test
    void writeAsyncReturnsBeforeTheCommitAndCompletesOffTheWriterThreadAfterTheCommitAndItsActions() throws Exception {
        startWriter();
        writer.write(s -> {
            s.execute("CREATE TABLE rows (unit INTEGER NOT NULL)");
            return null;
        });
        var release = new CountDownLatch(1);
        var actionRan = new AtomicBoolean();
        CompletableFuture<Integer> written = writer.writeAsync(s -> {
            insert(s, 7);
            s.afterCommit(() -> actionRan.set(true));
            try {
                if (!release.await(10, TimeUnit.SECONDS)) throw new IllegalStateException("never released");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return 7;
        });
        assertThat(written).as("the caller is not held while the unit runs and commits").isNotDone();

        var seen = new CompletableFuture<String>();
        written.thenRun(() -> seen.complete(Thread.currentThread().getName() + " action ran: " + actionRan.get()));
        release.countDown();
        // `seen` first: a thread waiting on `written` itself may run its dependents when it wakes.
        assertThat(seen.get(10, TimeUnit.SECONDS)).as("dependents run after the commit's actions, not on the writer thread")
                .isEqualTo("sqlite-commit-answers action ran: true");
        assertThat(written.get(10, TimeUnit.SECONDS)).isEqualTo(7);
        int rows = writer.write(s -> {
            try (ResultSet rs = s.prepare("SELECT count(*) FROM rows WHERE unit = 7").executeQuery()) {
                return rs.getInt(1);
            }
        });
        assertThat(rows).as("committed by the time the future completed").isEqualTo(1);
    }

    @Test
    void writeAsyncFailsWithWhatTheUnitThrewAndWrapsCheckedFailures() throws Exception {
        startWriter();
        CompletableFuture<Object> refused = writer.writeAsync(s -> {
            throw new IllegalStateException("refused");
        });
        CompletableFuture<Object> broken = writer.writeAsync(s -> {
            s.execute("SELECT * FROM no_such_table");
            return null;
        });
        assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS)).cause()
                .isInstanceOf(IllegalStateException.class).hasMessage("refused");
        assertThatThrownBy(() -> broken.get(10, TimeUnit.SECONDS)).cause()
                .isInstanceOf(StorageException.class).hasCauseInstanceOf(SQLException.class);
    }

    @Test
    void checkedFirstWorkThatRefusesBeforeWritingFailsAloneAndItsBatchCommits() throws Exception {
        startWriter();
        createRowsTable();
        List<CompletableFuture<Void>> queued = new ArrayList<>();
        // Queued from inside a running unit, so both join its batch.
        writer.write(s -> {
            insert(s, 1);
            queued.add(writer.writeAsyncCheckedFirst(s2 -> {
                throw new IllegalStateException("refused");
            }));
            queued.add(writer.writeAsyncCheckedFirst(s2 -> insert(s2, 3)));
            return null;
        });

        assertThatThrownBy(() -> queued.get(0).get(10, TimeUnit.SECONDS)).cause()
                .isInstanceOf(IllegalStateException.class).hasMessage("refused");
        queued.get(1).get(10, TimeUnit.SECONDS);
        assertThat(rows()).containsExactly(1, 3);
        assertThat(metrics.get(GroupCommitWriter.BATCH_SIZE).summary().max()).as("the three units shared a commit").isEqualTo(3);
    }

    @Test
    void checkedFirstWorkThatFailsAfterWritingFailsItsWholeBatch() throws Exception {
        startWriter();
        createRowsTable();
        List<CompletableFuture<Void>> queued = new ArrayList<>();

        assertThatThrownBy(() -> writer.write(s -> {
            insert(s, 1);
            queued.add(writer.writeAsyncCheckedFirst(s2 -> {
                insert(s2, 2);
                throw new IllegalStateException("refused too late");
            }));
            queued.add(writer.writeAsyncCheckedFirst(s2 -> insert(s2, 3)));
            return null;
        })).isInstanceOf(StorageException.class).hasMessage("commit failed");

        assertThatThrownBy(() -> queued.get(0).get(10, TimeUnit.SECONDS)).cause()
                .isInstanceOf(IllegalStateException.class).hasMessage("refused too late");
        assertThatThrownBy(() -> queued.get(1).get(10, TimeUnit.SECONDS)).cause()
                .isInstanceOf(StorageException.class).hasMessage("commit failed");
        assertThat(rows()).as("nothing of the batch committed").isEmpty();
    }

    @Test
    void checkedFirstWorkFailingWithAnSqlErrorFailsItsWholeBatch() throws Exception {
        startWriter();
        createRowsTable();
        CompletableFuture<?>[] broken = new CompletableFuture<?>[1];

        assertThatThrownBy(() -> writer.write(s -> {
            insert(s, 1);
            broken[0] = writer.writeAsyncCheckedFirst(s2 -> {
                s2.execute("SELECT * FROM no_such_table");
                return null;
            });
            return null;
        })).isInstanceOf(StorageException.class).hasMessage("commit failed");

        assertThatThrownBy(() -> broken[0].get(10, TimeUnit.SECONDS)).cause()
                .isInstanceOf(StorageException.class).hasCauseInstanceOf(SQLException.class);
        assertThat(rows()).isEmpty();
        // The writer goes on: the next batch commits.
        writer.writeCheckedFirst(s -> insert(s, 4));
        assertThat(rows()).containsExactly(4);
    }

    private void createRowsTable() {
        writer.write(s -> {
            s.execute("CREATE TABLE rows (unit INTEGER NOT NULL)");
            return null;
        });
    }

    private List<Integer> rows() {
        return writer.write(s -> {
            List<Integer> out = new ArrayList<>();
            try (ResultSet rs = s.prepare("SELECT unit FROM rows ORDER BY rowid").executeQuery()) {
                while (rs.next()) out.add(rs.getInt(1));
            }
            return out;
        });
    }

    private static final int NORMAL = 1;
    private static final int FULL = 2;

    private static int syncLevel(SqlSession s) throws SQLException {
        try (ResultSet rs = s.prepare("PRAGMA synchronous").executeQuery()) {
            return rs.getInt(1);
        }
    }

    /// Waits until `caller` is parked in its write: its unit is then in the queue.
    private static void awaitWaiting(Thread caller) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (caller.getState() != Thread.State.WAITING && System.nanoTime() < deadline) Thread.onSpinWait();
    }

    private static Void insert(SqlSession s, int unit) throws SQLException {
        var insert = s.prepare("INSERT INTO rows (unit) VALUES (?)");
        insert.setInt(1, unit);
        insert.executeUpdate();
        return null;
    }
}
