package dev.courier.server.storage;

import dev.courier.protocol.SignedPreKey;
import dev.courier.server.accounts.Device;
import dev.courier.server.accounts.DeviceCredential;
import dev.courier.server.accounts.NewDevice;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/// The `devices` table's columns as every backend lays them out, and their mapping to [NewDevice]
/// and [Device]. Only the account ID differs between backends (a 16-byte blob on SQLite, a
/// `uuid` on PostgreSQL), so it stays with the caller.
public final class DeviceRows {
    /// Parameter 1 is the account ID; [#bindNew] binds the rest.
    public static final String INSERT = """
            INSERT INTO devices (account_id, device_id, name, registration_id, credential_salt, credential_hash,
                identity_key, signed_key_id, signed_key, signed_key_sig, pq_last_resort_id, pq_last_resort_key,
                pq_last_resort_sig, created_at, last_seen)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";

    /// What [#readAll] expects, in this order.
    public static final String COLUMNS = """
            device_id, name, registration_id, identity_key, signed_key_id, signed_key, signed_key_sig,
            pq_last_resort_id, pq_last_resort_key, pq_last_resort_sig, created_at, last_seen""";

    /// What [#readCredential] expects, in this order.
    public static final String CREDENTIAL_COLUMNS = "credential_salt, credential_hash";

    private DeviceRows() {}

    /// Binds parameters 2 to 15 of [#INSERT].
    public static void bindNew(PreparedStatement ps, int deviceId, NewDevice d, long now) throws SQLException {
        ps.setInt(2, deviceId);
        ps.setString(3, d.name());
        ps.setInt(4, d.registrationId());
        ps.setBytes(5, d.credential().salt());
        ps.setBytes(6, d.credential().hash());
        ps.setBytes(7, d.identityKey());
        ps.setInt(8, d.signedPreKey().keyId());
        ps.setBytes(9, d.signedPreKey().publicKey());
        ps.setBytes(10, d.signedPreKey().signature());
        ps.setInt(11, d.pqLastResortPreKey().keyId());
        ps.setBytes(12, d.pqLastResortPreKey().publicKey());
        ps.setBytes(13, d.pqLastResortPreKey().signature());
        ps.setLong(14, now);
        ps.setLong(15, now);
    }

    /// Runs `query`, which selected [#COLUMNS], and returns the devices in the order it gave them.
    public static List<Device> readAll(PreparedStatement query) throws SQLException {
        List<Device> out = new ArrayList<>();
        try (ResultSet rs = query.executeQuery()) {
            while (rs.next()) out.add(read(rs));
        }
        return out;
    }

    private static Device read(ResultSet rs) throws SQLException {
        return new Device(rs.getInt(1), rs.getString(2), rs.getInt(3), rs.getBytes(4),
                new SignedPreKey(rs.getInt(5), rs.getBytes(6), rs.getBytes(7)),
                new SignedPreKey(rs.getInt(8), rs.getBytes(9), rs.getBytes(10)),
                rs.getLong(11), rs.getLong(12));
    }

    /// Runs `query`, which selected [#CREDENTIAL_COLUMNS] of at most one device, and returns its credential.
    public static Optional<DeviceCredential> readCredential(PreparedStatement query) throws SQLException {
        try (ResultSet rs = query.executeQuery()) {
            return rs.next() ? Optional.of(new DeviceCredential(rs.getBytes(1), rs.getBytes(2))) : Optional.empty();
        }
    }
}
