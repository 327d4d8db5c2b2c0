package dev.courier.server.storage.sqlite;

import dev.courier.server.storage.StoreContract.Stores;
import dev.courier.server.testing.TestServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/// The SQLite backend of the storage contract suites: a real database file in a fresh temporary
/// directory, deleted afterwards.
final class SqliteTestStores {
    private Path dataDir;
    private SqliteDatabase db;

    Stores create() throws IOException {
        dataDir = Files.createTempDirectory("courier-store-test");
        return open();
    }

    /// Closes the database (draining its writer) and opens the same file again.
    Stores reopen() {
        db.close();
        db = null;
        return open();
    }

    void destroy() {
        try {
            if (db != null) db.close();
        } finally {
            db = null;
            if (dataDir != null) TestServer.deleteRecursively(dataDir);
        }
    }

    private Stores open() {
        db = new SqliteDatabase(dataDir, new SimpleMeterRegistry());
        return new Stores(new SqliteAccountStore(db), new SqliteOneTimeKeyStore(db), new SqliteMessageStore(db),
                new SqlitePushSubscriptionStore(db));
    }
}
