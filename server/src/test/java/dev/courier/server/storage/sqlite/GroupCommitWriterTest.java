package dev.courier.server.storage.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// The writer's batching, and its after-commit actions: what the commit feed relies on for
/// delivery order.
class GroupCommitWriterTest {
    @TempDir
    Path dir;

    @Test
    void afterCommitActionsRunInCommitOrderAndOnlyForUnitsThatCommitted() throws Exception {
        var session = new SqlSession(DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("w.db")));
        var writer = new GroupCommitWriter(session, new SimpleMeterRegistry());
        try {
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
        } finally {
            writer.close();
            writer.closeSession();
        }
    }

    @Test
    void workQueuedWhileABatchRunsCommitsWithThatBatch() throws Exception {
        var session = new SqlSession(DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("w.db")));
        var metrics = new SimpleMeterRegistry();
        var writer = new GroupCommitWriter(session, metrics);
        try {
            writer.write(s -> {
                s.execute("CREATE TABLE rows (unit INTEGER NOT NULL)");
                return null;
            });
            Thread[] latecomer = new Thread[1];
            writer.write(s -> {
                insert(s, 1);
                // A second write arrives while this one runs: it is queued once its caller waits.
                latecomer[0] = Thread.ofPlatform().start(() -> writer.write(s2 -> insert(s2, 2)));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (latecomer[0].getState() != Thread.State.WAITING && System.nanoTime() < deadline) Thread.onSpinWait();
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
        } finally {
            writer.close();
            writer.closeSession();
        }
    }

    private static Void insert(SqlSession s, int unit) throws SQLException {
        var insert = s.prepare("INSERT INTO rows (unit) VALUES (?)");
        insert.setInt(1, unit);
        insert.executeUpdate();
        return null;
    }
}
