package dev.courier.server.storage.postgres;

import dev.courier.server.accounts.DeviceAddress;
import dev.courier.server.push.Subscription;
import dev.courier.server.push.SubscriptionStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;

/// [SubscriptionStore] on PostgreSQL.
public final class PostgresPushSubscriptionStore implements SubscriptionStore {
    private final PostgresDatabase db;

    public PostgresPushSubscriptionStore(PostgresDatabase db) {
        this.db = db;
    }

    @Override
    public boolean put(Subscription sub) {
        return db.transaction(c -> {
            // INSERT ... SELECT from the device row: a device removed meanwhile gets nothing back.
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO push_subscriptions (account_id, device_id, kind, endpoint, p256dh, auth, updated_at)
                    SELECT account_id, device_id, ?, ?, ?, ?, ? FROM devices
                    WHERE account_id = ? AND device_id = ?
                    ON CONFLICT (account_id, device_id) DO UPDATE SET kind = excluded.kind,
                        endpoint = excluded.endpoint, p256dh = excluded.p256dh, auth = excluded.auth,
                        updated_at = excluded.updated_at""")) {
                ps.setString(1, sub.kind());
                ps.setString(2, sub.endpoint());
                ps.setBytes(3, sub.p256dh());
                ps.setBytes(4, sub.auth());
                ps.setLong(5, sub.updatedAt());
                ps.setObject(6, sub.device().accountId());
                ps.setInt(7, sub.device().deviceId());
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public Optional<Subscription> find(DeviceAddress device) {
        return db.autocommit(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT kind, endpoint, p256dh, auth, updated_at FROM push_subscriptions
                    WHERE account_id = ? AND device_id = ?""")) {
                ps.setObject(1, device.accountId());
                ps.setInt(2, device.deviceId());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) return Optional.empty();
                    return Optional.of(new Subscription(device, rs.getString(1), rs.getString(2), rs.getBytes(3),
                            rs.getBytes(4), rs.getLong(5)));
                }
            }
        });
    }

    @Override
    public boolean remove(DeviceAddress device) {
        return db.autocommit(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM push_subscriptions WHERE account_id = ? AND device_id = ?")) {
                ps.setObject(1, device.accountId());
                ps.setInt(2, device.deviceId());
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean removeIfEndpoint(DeviceAddress device, String endpoint) {
        return db.autocommit(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM push_subscriptions WHERE account_id = ? AND device_id = ? AND endpoint = ?")) {
                ps.setObject(1, device.accountId());
                ps.setInt(2, device.deviceId());
                ps.setString(3, endpoint);
                return ps.executeUpdate() == 1;
            }
        });
    }
}
