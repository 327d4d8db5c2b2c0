package dev.courier.server.storage.sqlite;

import dev.courier.server.accounts.DeviceAddress;
import dev.courier.server.push.Subscription;
import dev.courier.server.push.SubscriptionStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;

/// [SubscriptionStore] on the embedded database.
public final class SqlitePushSubscriptionStore implements SubscriptionStore {
    private final SqliteDatabase db;

    public SqlitePushSubscriptionStore(SqliteDatabase db) {
        this.db = db;
    }

    @Override
    public boolean put(Subscription sub) {
        return db.write(s -> {
            // Checked in the same write unit as the insert, so a device removed meanwhile never
            // gets a subscription back (the foreign key alone would turn that into an error).
            PreparedStatement exists = s.prepare("SELECT 1 FROM devices WHERE account_id = ? AND device_id = ?");
            exists.setBytes(1, Uuids.toBytes(sub.device().accountId()));
            exists.setInt(2, sub.device().deviceId());
            try (ResultSet rs = exists.executeQuery()) {
                if (!rs.next()) return false;
            }
            PreparedStatement ps = s.prepare("""
                    INSERT INTO push_subscriptions (account_id, device_id, kind, endpoint, p256dh, auth, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (account_id, device_id) DO UPDATE SET kind = excluded.kind,
                        endpoint = excluded.endpoint, p256dh = excluded.p256dh, auth = excluded.auth,
                        updated_at = excluded.updated_at""");
            ps.setBytes(1, Uuids.toBytes(sub.device().accountId()));
            ps.setInt(2, sub.device().deviceId());
            ps.setString(3, sub.kind());
            ps.setString(4, sub.endpoint());
            ps.setBytes(5, sub.p256dh());
            ps.setBytes(6, sub.auth());
            ps.setLong(7, sub.updatedAt());
            ps.executeUpdate();
            return true;
        });
    }

    @Override
    public Optional<Subscription> find(DeviceAddress device) {
        return db.read(s -> {
            PreparedStatement ps = s.prepare("""
                    SELECT kind, endpoint, p256dh, auth, updated_at FROM push_subscriptions
                    WHERE account_id = ? AND device_id = ?""");
            ps.setBytes(1, Uuids.toBytes(device.accountId()));
            ps.setInt(2, device.deviceId());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                return Optional.of(new Subscription(device, rs.getString(1), rs.getString(2), rs.getBytes(3),
                        rs.getBytes(4), rs.getLong(5)));
            }
        });
    }

    @Override
    public boolean remove(DeviceAddress device) {
        return db.write(s -> {
            PreparedStatement ps = s.prepare("DELETE FROM push_subscriptions WHERE account_id = ? AND device_id = ?");
            ps.setBytes(1, Uuids.toBytes(device.accountId()));
            ps.setInt(2, device.deviceId());
            return ps.executeUpdate() == 1;
        });
    }

    @Override
    public boolean removeIfEndpoint(DeviceAddress device, String endpoint) {
        return db.write(s -> {
            PreparedStatement ps = s.prepare(
                    "DELETE FROM push_subscriptions WHERE account_id = ? AND device_id = ? AND endpoint = ?");
            ps.setBytes(1, Uuids.toBytes(device.accountId()));
            ps.setInt(2, device.deviceId());
            ps.setString(3, endpoint);
            return ps.executeUpdate() == 1;
        });
    }
}
