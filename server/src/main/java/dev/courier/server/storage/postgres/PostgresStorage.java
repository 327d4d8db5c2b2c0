package dev.courier.server.storage.postgres;

import dev.courier.server.config.ServerConfig;
import dev.courier.server.storage.Storage;
import io.micrometer.core.instrument.MeterRegistry;

/// Opens [Storage] on a PostgreSQL database, which every node of a cluster shares.
public final class PostgresStorage {
    private PostgresStorage() {}

    public static Storage open(ServerConfig.Postgres config, MeterRegistry metrics) {
        PostgresDatabase db = new PostgresDatabase(config, metrics);
        return new Storage(new PostgresAccountStore(db), new PostgresOneTimeKeyStore(db), new PostgresMessageStore(db),
                new PostgresPushSubscriptionStore(db),
                new PostgresVapidKeyStore(db), db);
    }
}
