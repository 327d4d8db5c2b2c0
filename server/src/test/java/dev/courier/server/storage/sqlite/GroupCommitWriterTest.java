package dev.courier.server.storage.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// The writer's after-commit actions: what the commit feed relies on for delivery order.
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
}
