package dev.courier.server.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.server.config.ServerConfig;
import dev.courier.server.storage.StorageException;
import dev.courier.server.testing.PostgresTestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/// Opening [PostgresDatabase]: schema migration, several nodes at once, and the ways it refuses to start.
class PostgresMigrationsTest {
    private PostgresTestDatabase database;

    @BeforeEach
    void createDatabase() {
        database = PostgresTestDatabase.create();
    }

    @AfterEach
    void dropDatabase() {
        if (database != null) database.close();
    }

    private PostgresDatabase open() {
        return new PostgresDatabase(database.config(), new SimpleMeterRegistry());
    }

    private List<Integer> appliedVersions() throws Exception {
        List<Integer> versions = new ArrayList<>();
        try (var c = database.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version FROM schema_migrations ORDER BY version")) {
            while (rs.next()) versions.add(rs.getInt(1));
        }
        return versions;
    }

    private static List<Integer> everyVersion() {
        return java.util.stream.IntStream.rangeClosed(1, PostgresMigrations.SCRIPTS.size()).boxed().toList();
    }

    @Test
    void openingAnEmptyDatabaseAppliesEveryVersionOnce() throws Exception {
        try (var db = open()) {
            assertThat(db.isHealthy()).isTrue();
        }
        try (var db = open()) {
            assertThat(db.isHealthy()).isTrue();
        }

        assertThat(appliedVersions()).containsExactlyElementsOf(everyVersion());
    }

    @Test
    void nodesStartingAtOnceMigrateOnce() throws Exception {
        int nodes = 4;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(nodes);
        try {
            List<Future<PostgresDatabase>> started = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                started.add(pool.submit((Callable<PostgresDatabase>) () -> {
                    go.await();
                    return open();
                }));
            }
            go.countDown();
            for (Future<PostgresDatabase> f : started) {
                try (PostgresDatabase db = f.get(60, TimeUnit.SECONDS)) {
                    assertThat(db.isHealthy()).isTrue();
                }
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(appliedVersions()).containsExactlyElementsOf(everyVersion());
    }

    @Test
    void databaseFromANewerServerIsRefused() throws Exception {
        open().close();
        try (var c = database.connect(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO schema_migrations (version, applied_at) VALUES (99, 0)");
        }

        assertThatThrownBy(this::open).isInstanceOf(StorageException.class)
                .hasMessageContaining("cannot prepare the PostgreSQL database")
                .hasRootCauseMessage("the database schema (version 99) is newer than this server ("
                        + PostgresMigrations.SCRIPTS.size() + "); upgrade the server");
    }

    @Test
    void unreachableServerFailsAtOnceNamingTheUrlWithoutItsParameters() {
        // Port 1 on loopback: nothing listens there, so the connection is refused at once.
        var config = new ServerConfig.Postgres("jdbc:postgresql://127.0.0.1:1/courier?password=hunter2", "courier",
                Optional.empty(), 2);

        assertThatThrownBy(() -> new PostgresDatabase(config, new SimpleMeterRegistry()))
                .isInstanceOf(StorageException.class)
                .hasMessage("cannot connect to PostgreSQL at jdbc:postgresql://127.0.0.1:1/courier")
                .hasMessageNotContaining("hunter2");
    }
}
