package dev.courier.server.storage.sqlite;

import dev.courier.protocol.PreKey;
import dev.courier.protocol.SignedPreKey;
import dev.courier.server.accounts.DeviceAddress;
import dev.courier.server.keys.OneTimeKeyStore;
import dev.courier.server.storage.OneTimeKeyRows;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
            // Inside the write's savepoint: a refusal undoes the inserts.
            OneTimeKeyRows.checkLimit(count(s, OneTimeKeyRows.EC_TABLE, device), maxStored);
            OneTimeKeyRows.checkLimit(count(s, OneTimeKeyRows.PQ_TABLE, device), maxStored);
            return null;
        });
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
                pq.setBytes(1, id);
                pq.setInt(2, d.deviceId());
                out.put(d, new Taken(OneTimeKeyRows.takePreKey(ec), OneTimeKeyRows.takePqPreKey(pq)));
            }
            return out;
        });
    }

    @Override
    public KeyCounts count(DeviceAddress device) {
        return db.read(s -> new KeyCounts(count(s, OneTimeKeyRows.EC_TABLE, device), count(s, OneTimeKeyRows.PQ_TABLE, device)));
    }
}
