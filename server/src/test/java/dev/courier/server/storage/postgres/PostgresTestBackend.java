package dev.courier.server.storage.postgres;

import dev.courier.server.storage.Storage;
import dev.courier.server.storage.StoresUnderTest;
import dev.courier.server.testing.PostgresTestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/// The PostgreSQL backend of the storage contract suites: a fresh database per test on the
/// machine's PostgreSQL server, dropped afterwards.
final class PostgresTestBackend implements StoresUnderTest.Backend {
    private final PostgresTestDatabase database = PostgresTestDatabase.create();

    @Override
    public Storage open() {
        return PostgresStorage.open(database.config(), new SimpleMeterRegistry());
    }

    @Override
    public void deleteData() {
        database.close();
    }
}
