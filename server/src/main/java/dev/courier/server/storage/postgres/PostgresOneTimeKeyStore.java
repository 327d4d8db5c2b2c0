package dev.courier.server.storage.postgres;

import static dev.courier.server.storage.postgres.PostgresAccountStore.bindDevice;

import dev.courier.protocol.PreKey;
import dev.courier.protocol.SignedPreKey;
import dev.courier.server.ServiceException;
import dev.courier.server.accounts.DeviceAddress;
import dev.courier.server.keys.OneTimeKeyStore;
import dev.courier.server.storage.OneTimeKeyRows;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/// [OneTimeKeyStore] on PostgreSQL.
///
/// Concurrent fetches take different keys: each picks the lowest key that no other transaction
/// holds (`FOR UPDATE SKIP LOCKED`) and deletes it. Concurrent uploads to one device take turns
/// on the device's row lock, so the cap is checked against every upload committed before.
public final class PostgresOneTimeKeyStore implements OneTimeKeyStore {
    private final PostgresDatabase db;

    public PostgresOneTimeKeyStore(PostgresDatabase db) {
        this.db = db;
    }

    @Override
    public void add(DeviceAddress device, List<PreKey> preKeys, List<SignedPreKey> pqPreKeys, int maxStored) {
        db.transaction(c -> {
            lockDevice(c, device);
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO one_time_pre_keys (account_id, device_id, key_id, public_key) VALUES (?, ?, ?, ?)
                    ON CONFLICT (account_id, device_id, key_id) DO UPDATE SET public_key = excluded.public_key""")) {
                for (PreKey k : preKeys) {
                    bindDevice(ps, 1, device);
                    ps.setInt(3, k.keyId());
                    ps.setBytes(4, k.publicKey());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO one_time_pq_pre_keys (account_id, device_id, key_id, public_key, signature) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (account_id, device_id, key_id)
                    DO UPDATE SET public_key = excluded.public_key, signature = excluded.signature""")) {
                for (SignedPreKey k : pqPreKeys) {
                    bindDevice(ps, 1, device);
                    ps.setInt(3, k.keyId());
                    ps.setBytes(4, k.publicKey());
                    ps.setBytes(5, k.signature());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            // Inside the transaction: a refusal undoes the inserts.
            OneTimeKeyRows.checkLimit(count(c, OneTimeKeyRows.EC_TABLE, device), maxStored);
            OneTimeKeyRows.checkLimit(count(c, OneTimeKeyRows.PQ_TABLE, device), maxStored);
            return null;
        });
    }

    /// Locks the device row until commit. `FOR NO KEY UPDATE` does not block the key-share locks
    /// that foreign-key checks of concurrent sends take on the same row.
    private static void lockDevice(Connection c, DeviceAddress device) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM devices WHERE account_id = ? AND device_id = ? FOR NO KEY UPDATE")) {
            bindDevice(ps, 1, device);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw ServiceException.notFound("device_not_found", "no such device");
            }
        }
    }

    private static int count(Connection c, String table, DeviceAddress device) throws SQLException {
        // The table name is one of two constants, never input.
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + table + " WHERE account_id = ? AND device_id = ?")) {
            bindDevice(ps, 1, device);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    @Override
    public Map<DeviceAddress, Taken> take(List<DeviceAddress> devices) {
        return db.transaction(c -> {
            Map<DeviceAddress, Taken> out = new HashMap<>();
            try (PreparedStatement ec = c.prepareStatement("""
                    DELETE FROM one_time_pre_keys
                    WHERE account_id = ? AND device_id = ? AND key_id =
                        (SELECT key_id FROM one_time_pre_keys WHERE account_id = ? AND device_id = ?
                         ORDER BY key_id LIMIT 1 FOR UPDATE SKIP LOCKED)
                    RETURNING key_id, public_key""");
                 PreparedStatement pq = c.prepareStatement("""
                    DELETE FROM one_time_pq_pre_keys
                    WHERE account_id = ? AND device_id = ? AND key_id =
                        (SELECT key_id FROM one_time_pq_pre_keys WHERE account_id = ? AND device_id = ?
                         ORDER BY key_id LIMIT 1 FOR UPDATE SKIP LOCKED)
                    RETURNING key_id, public_key, signature""")) {
                // Distinct: naming a device twice would spend two keys and return one.
                for (DeviceAddress d : devices.stream().distinct().toList()) {
                    bindDevice(ec, 1, d);
                    bindDevice(ec, 3, d);
                    bindDevice(pq, 1, d);
                    bindDevice(pq, 3, d);
                    out.put(d, new Taken(OneTimeKeyRows.takePreKey(ec), OneTimeKeyRows.takePqPreKey(pq)));
                }
            }
            return out;
        });
    }

    @Override
    public KeyCounts count(DeviceAddress device) {
        return db.autocommit(c -> new KeyCounts(count(c, OneTimeKeyRows.EC_TABLE, device), count(c, OneTimeKeyRows.PQ_TABLE, device)));
    }
}
