package dev.courier.server.storage;

import dev.courier.server.accounts.AccountStore;
import dev.courier.server.keys.OneTimeKeyStore;
import dev.courier.server.messages.MessageStore;
import dev.courier.server.push.SubscriptionStore;
import dev.courier.server.push.webpush.VapidKeyStore;

/// One storage backend, opened: every storage port on one database, plus that database's health
/// and lifetime. The composition root opens one by `storage.backend` (`SqliteStorage.open`,
/// `PostgresStorage.open`) and hands out the ports; nothing else knows which backend it runs on.
///
/// A new port joins as one more component here, filled in by each backend's `open`.
public record Storage(AccountStore accounts, OneTimeKeyStore oneTimeKeys, MessageStore messages,
                      SubscriptionStore subscriptions, VapidKeyStore vapidKeys, Database database)
        implements AutoCloseable {

    /// What a backend's database offers besides the ports.
    public interface Database extends AutoCloseable {
        /// True when the database answers a query now; `/health` reports it.
        boolean isHealthy();

        /// Where the data lives, for the start-up log line. Never contains a credential.
        String describe();

        /// Lets writes already under way commit, then closes the database.
        @Override
        void close();
    }

    public boolean isHealthy() {
        return database.isHealthy();
    }

    @Override
    public void close() {
        database.close();
    }
}
