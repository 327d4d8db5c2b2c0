package dev.courier.server.storage.sqlite;

import dev.courier.server.storage.AccountStoreContract;
import dev.courier.server.storage.StoresUnderTest;

/// [AccountStoreContract] on a real SQLite file.
class SqliteAccountStoreTest extends AccountStoreContract {
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
