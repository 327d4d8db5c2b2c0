package dev.courier.server.storage.postgres;

import dev.courier.server.storage.SubscriptionStoreContract;
import dev.courier.server.storage.StoresUnderTest;

/// [SubscriptionStoreContract] on a real PostgreSQL database.
class PostgresSubscriptionStoreTest extends SubscriptionStoreContract {
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
