package dev.courier.server.storage.sqlite;

import dev.courier.server.push.webpush.VapidKeys;
import dev.courier.server.storage.Storage;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;

/// Opens [Storage] on the embedded SQLite file in the data directory: the single-process default.
public final class SqliteStorage {
    private SqliteStorage() {}

    public static Storage open(Path dataDir, MeterRegistry metrics) {
        SqliteDatabase db = new SqliteDatabase(dataDir, metrics);
        return new Storage(new SqliteAccountStore(db), new SqliteOneTimeKeyStore(db), new SqliteMessageStore(db),
                new SqlitePushSubscriptionStore(db),
                () -> VapidKeys.loadOrCreate(dataDir), db);
    }
}
