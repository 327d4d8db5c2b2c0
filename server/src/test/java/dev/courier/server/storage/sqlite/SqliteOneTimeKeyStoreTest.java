package dev.courier.server.storage.sqlite;

import dev.courier.server.storage.OneTimeKeyStoreContract;
import dev.courier.server.storage.StoresUnderTest;

/// [OneTimeKeyStoreContract] on a real SQLite file.
class SqliteOneTimeKeyStoreTest extends OneTimeKeyStoreContract {
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
