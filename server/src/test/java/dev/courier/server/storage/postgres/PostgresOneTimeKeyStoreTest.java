package dev.courier.server.storage.postgres;

import dev.courier.server.storage.OneTimeKeyStoreContract;
import dev.courier.server.storage.StoresUnderTest;

/// [OneTimeKeyStoreContract] on a real PostgreSQL database.
class PostgresOneTimeKeyStoreTest extends OneTimeKeyStoreContract {
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
