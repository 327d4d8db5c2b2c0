package dev.courier.server.storage.postgres;

import dev.courier.server.storage.AccountStoreContract;
import dev.courier.server.storage.StoresUnderTest;

/// [AccountStoreContract] on a real PostgreSQL database.
class PostgresAccountStoreTest extends AccountStoreContract {
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
}
