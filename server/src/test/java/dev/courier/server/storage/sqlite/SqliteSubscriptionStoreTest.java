package dev.courier.server.storage.sqlite;

import dev.courier.server.storage.SubscriptionStoreContract;
import dev.courier.server.storage.StoresUnderTest;

/// [SubscriptionStoreContract] on a real SQLite file.
class SqliteSubscriptionStoreTest extends SubscriptionStoreContract {
    private final StoresUnderTest sqlite = new StoresUnderTest(SqliteTestBackend::new);

    @Override
    protected Stores createStores() {
        return sqlite.create();
    }

    @Override
    protected Stores reopenStores() {
        return sqlite.reopen();
    }

    @Override
    protected void destroyStores() {
        sqlite.destroy();
    }
}
