package dev.courier.server.storage.sqlite;

import dev.courier.server.storage.MessageStoreContract;
import dev.courier.server.storage.StoresUnderTest;

/// [MessageStoreContract] on a real SQLite file.
class SqliteMessageStoreTest extends MessageStoreContract {
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

    @Override
    protected boolean feedsCommits() {
        return true;
    }
}
