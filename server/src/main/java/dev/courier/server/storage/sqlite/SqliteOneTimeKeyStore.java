package dev.courier.server.storage.sqlite;

import dev.courier.protocol.PreKey;
import dev.courier.protocol.SignedPreKey;
import dev.courier.server.ServiceException;
import dev.courier.server.accounts.DeviceAddress;
import dev.courier.server.keys.OneTimeKeyStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/// [OneTimeKeyStore] on the embedded database. Taking keys is a write, so it runs on the single
/// writer thread: two fetches can never read the same key before either deletes it.
public final class SqliteOneTimeKeyStore implements OneTimeKeyStore {
    private final SqliteDatabase db;

    public SqliteOneTimeKeyStore(SqliteDatabase db) {
        this.db = db;
    }

    @Override
    public void add(DeviceAddress device, List<PreKey> preKeys, List<SignedPreKey> pqPreKeys, int maxStored) {
        db.write(s -> {
            byte[] account = Uuids.toBytes(device.accountId());
            PreparedStatement ec = s.prepare(
                    "INSERT OR REPLACE INTO one_time_pre_keys (account_id, device_id, key_id, public_key) VALUES (?, ?, ?, ?)");
            for (PreKey k : preKeys) {
                ec.setBytes(1, account);
                ec.setInt(2, device.deviceId());
                ec.setInt(3, k.keyId());
                ec.setBytes(4, k.publicKey());
                ec.executeUpdate();
            }
            PreparedStatement pq = s.prepare("""
                    INSERT OR REPLACE INTO one_time_pq_pre_keys (account_id, device_id, key_id, public_key, signature)
                    VALUES (?, ?, ?, ?, ?)""");
            for (SignedPreKey k : pqPreKeys) {
                pq.setBytes(1, account);
                pq.setInt(2, device.deviceId());
                pq.setInt(3, k.keyId());
                pq.setBytes(4, k.publicKey());
                pq.setBytes(5, k.signature());
                pq.executeUpdate();
            }
            checkLimit(s, "one_time_pre_keys", device, maxStored);
            checkLimit(s, "one_time_pq_pre_keys", device, maxStored);
            return null;
        });
    }

    /// Runs inside the write's savepoint: throwing here undoes the insert.
    private static void checkLimit(SqlSession s, String table, DeviceAddress device, int maxStored) throws SQLException {
        int count = count(s, table, device);
        if (count > maxStored) {
            throw ServiceException.badRequest("too_many_keys", "a device may store at most " + maxStored
                    + " one-time keys of each kind; this upload would make " + count);
        }
    }

    private static int count(SqlSession s, String table, DeviceAddress device) throws SQLException {
        // The table name is one of two constants, never input.
        PreparedStatement ps = s.prepare("SELECT count(*) FROM " + table + " WHERE account_id = ? AND device_id = ?");
        ps.setBytes(1, Uuids.toBytes(device.accountId()));
        ps.setInt(2, device.deviceId());
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Override
    public Map<DeviceAddress, Taken> take(List<DeviceAddress> devices) {
        return db.write(s -> {
            Map<DeviceAddress, Taken> out = new HashMap<>();
            PreparedStatement ec = s.prepare("""
                    DELETE FROM one_time_pre_keys
                    WHERE account_id = ?1 AND device_id = ?2 AND key_id =
                        (SELECT min(key_id) FROM one_time_pre_keys WHERE account_id = ?1 AND device_id = ?2)
                    RETURNING key_id, public_key""");
            PreparedStatement pq = s.prepare("""
                    DELETE FROM one_time_pq_pre_keys
                    WHERE account_id = ?1 AND device_id = ?2 AND key_id =
                        (SELECT min(key_id) FROM one_time_pq_pre_keys WHERE account_id = ?1 AND device_id = ?2)
                    RETURNING key_id, public_key, signature""");
            // Distinct: naming a device twice would spend two keys and return one.
            for (DeviceAddress d : devices.stream().distinct().toList()) {
                byte[] id = Uuids.toBytes(d.accountId());
                ec.setBytes(1, id);
                ec.setInt(2, d.deviceId());
                Optional<PreKey> preKey = Optional.empty();
                try (ResultSet rs = ec.executeQuery()) {
                    if (rs.next()) preKey = Optional.of(new PreKey(rs.getInt(1), rs.getBytes(2)));
                }
                pq.setBytes(1, id);
                pq.setInt(2, d.deviceId());
                Optional<SignedPreKey> pqKey = Optional.empty();
                try (ResultSet rs = pq.executeQuery()) {
                    if (rs.next()) pqKey = Optional.of(new SignedPreKey(rs.getInt(1), rs.getBytes(2), rs.getBytes(3)));
                }
                out.put(d, new Taken(preKey, pqKey));
            }
            return out;
        });
    }

    @Override
    public KeyCounts count(DeviceAddress device) {
        return db.read(s -> new KeyCounts(count(s, "one_time_pre_keys", device), count(s, "one_time_pq_pre_keys", device)));
    }
}
