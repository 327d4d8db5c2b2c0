package dev.courier.server.storage.sqlite;

import dev.courier.server.storage.SubscriptionStoreContract;

/// [SubscriptionStoreContract] on a real SQLite file.
class SqliteSubscriptionStoreTest extends SubscriptionStoreContract {
    private final SqliteTestStores sqlite = new SqliteTestStores();

    @Override
    protected Stores createStores() throws Exception {
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
