package dev.courier.server.storage.sqlite;

import dev.courier.server.storage.Storage;
import dev.courier.server.storage.StoresUnderTest;
import dev.courier.server.testing.TestServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/// The SQLite backend of the storage contract suites: a real database file in a fresh temporary
/// directory, deleted afterwards.
final class SqliteTestBackend implements StoresUnderTest.Backend {
    private final Path dataDir;

    SqliteTestBackend() {
        try {
            dataDir = Files.createTempDirectory("courier-store-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Storage open() {
        return SqliteStorage.open(dataDir, new SimpleMeterRegistry());
    }

    @Override
    public void deleteData() {
        TestServer.deleteRecursively(dataDir);
    }
}
