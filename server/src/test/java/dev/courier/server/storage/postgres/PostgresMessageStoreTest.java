package dev.courier.server.storage.postgres;

import dev.courier.server.storage.MessageStoreContract;
import dev.courier.server.storage.StoresUnderTest;

/// [MessageStoreContract] on a real PostgreSQL database.
class PostgresMessageStoreTest extends MessageStoreContract {
    private final StoresUnderTest postgres = new StoresUnderTest(PostgresTestBackend::new);

    @Override
    protected Stores createStores() {
        return postgres.create();
    }

    @Override
    protected Stores reopenStores() {
        return postgres.reopen();
    }

    @Override
    protected void destroyStores() {
        postgres.destroy();
    }

    @Override
    protected boolean feedsCommits() {
        return false;
    }
}
