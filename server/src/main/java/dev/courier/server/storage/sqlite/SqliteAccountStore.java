package dev.courier.server.storage.sqlite;

import dev.courier.protocol.SignedPreKey;
import dev.courier.server.ServiceException;
import dev.courier.server.accounts.Account;
import dev.courier.server.accounts.AccountStore;
import dev.courier.server.accounts.Device;
import dev.courier.server.accounts.DeviceAddress;
import dev.courier.server.accounts.DeviceCredential;
import dev.courier.server.accounts.NewDevice;
import dev.courier.server.storage.DeviceRows;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/// [AccountStore] on the embedded database.
public final class SqliteAccountStore implements AccountStore {
    private final SqliteDatabase db;

    public SqliteAccountStore(SqliteDatabase db) {
        this.db = db;
    }

    @Override
    public Account create(UUID accountId, String username, NewDevice firstDevice, Optional<byte[]> registrationTokenHash, long now) {
        return db.write(s -> {
            if (registrationTokenHash.isPresent()) consumeToken(s, registrationTokenHash.get(), now);
            PreparedStatement ps = s.prepare("INSERT INTO accounts (id, username, created_at, next_device) VALUES (?, ?, ?, 2)");
            ps.setBytes(1, Uuids.toBytes(accountId));
            ps.setString(2, username);
            ps.setLong(3, now);
            try {
                ps.executeUpdate();
            } catch (SQLiteException e) {
                if (isConstraint(e)) throw ServiceException.conflict("username_taken", "the username '" + username + "' is taken");
                throw e;
            }
            insertDevice(s, accountId, 1, firstDevice, now);
            return new Account(accountId, username, now);
        });
    }

    private static void consumeToken(SqlSession s, byte[] tokenHash, long now) throws SQLException {
        PreparedStatement ps = s.prepare("""
                UPDATE registration_tokens SET uses_left = uses_left - 1
                WHERE token_hash = ? AND uses_left > 0 AND (expires_at IS NULL OR expires_at > ?)""");
        ps.setBytes(1, tokenHash);
        ps.setLong(2, now);
        if (ps.executeUpdate() != 1) {
            throw ServiceException.forbidden("invalid_registration_token", "the registration token is unknown, used up or expired");
        }
    }

    private static void insertDevice(SqlSession s, UUID accountId, int deviceId, NewDevice d, long now) throws SQLException {
        PreparedStatement ps = s.prepare(DeviceRows.INSERT);
        ps.setBytes(1, Uuids.toBytes(accountId));
        DeviceRows.bindNew(ps, deviceId, d, now);
        ps.executeUpdate();
    }

    @Override
    public Optional<Account> findById(UUID accountId) {
        return db.read(s -> {
            PreparedStatement ps = s.prepare("SELECT id, username, created_at FROM accounts WHERE id = ?");
            ps.setBytes(1, Uuids.toBytes(accountId));
            return oneAccount(ps);
        });
    }

    @Override
    public Optional<Account> findByUsername(String normalisedUsername) {
        return db.read(s -> {
            PreparedStatement ps = s.prepare("SELECT id, username, created_at FROM accounts WHERE username = ?");
            ps.setString(1, normalisedUsername);
            return oneAccount(ps);
        });
    }

    private static Optional<Account> oneAccount(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) return Optional.empty();
            return Optional.of(new Account(Uuids.fromBytes(rs.getBytes(1)), rs.getString(2), rs.getLong(3)));
        }
    }

    @Override
    public int addDevice(UUID accountId, NewDevice device, int maxDevices, long now) {
        return db.write(s -> {
            byte[] id = Uuids.toBytes(accountId);
            PreparedStatement count = s.prepare("SELECT count(*) FROM devices WHERE account_id = ?");
            count.setBytes(1, id);
            try (ResultSet rs = count.executeQuery()) {
                rs.next();
                if (rs.getInt(1) >= maxDevices) {
                    throw ServiceException.conflict("too_many_devices", "an account can have at most " + maxDevices + " devices");
                }
            }
            PreparedStatement next = s.prepare("UPDATE accounts SET next_device = next_device + 1 WHERE id = ? RETURNING next_device - 1");
            next.setBytes(1, id);
            int deviceId;
            try (ResultSet rs = next.executeQuery()) {
                if (!rs.next()) throw ServiceException.notFound("account_not_found", "account no longer exists");
                deviceId = rs.getInt(1);
            }
            insertDevice(s, accountId, deviceId, device, now);
            return deviceId;
        });
    }

    @Override
    public boolean removeDevice(DeviceAddress device) {
        return db.write(s -> {
            PreparedStatement ps = s.prepare("DELETE FROM devices WHERE account_id = ? AND device_id = ?");
            ps.setBytes(1, Uuids.toBytes(device.accountId()));
            ps.setInt(2, device.deviceId());
            return ps.executeUpdate() == 1;
        });
    }

    @Override
    public List<Device> devices(UUID accountId) {
        return db.read(s -> {
            PreparedStatement ps = s.prepare("SELECT " + DeviceRows.COLUMNS + " FROM devices WHERE account_id = ? ORDER BY device_id");
            ps.setBytes(1, Uuids.toBytes(accountId));
            return DeviceRows.readAll(ps);
        });
    }

    @Override
    public Optional<DeviceCredential> credential(DeviceAddress device) {
        return db.read(s -> {
            PreparedStatement ps = s.prepare("SELECT " + DeviceRows.CREDENTIAL_COLUMNS
                    + " FROM devices WHERE account_id = ? AND device_id = ?");
            ps.setBytes(1, Uuids.toBytes(device.accountId()));
            ps.setInt(2, device.deviceId());
            return DeviceRows.readCredential(ps);
        });
    }

    @Override
    public void updateSignedKeys(DeviceAddress device, SignedPreKey signed, SignedPreKey pqLastResort) {
        db.write(s -> {
            if (signed != null) {
                replaceKey(s, "UPDATE devices SET signed_key_id = ?, signed_key = ?, signed_key_sig = ? "
                        + "WHERE account_id = ? AND device_id = ?", device, signed);
            }
            if (pqLastResort != null) {
                replaceKey(s, "UPDATE devices SET pq_last_resort_id = ?, pq_last_resort_key = ?, pq_last_resort_sig = ? "
                        + "WHERE account_id = ? AND device_id = ?", device, pqLastResort);
            }
            return null;
        });
    }

    private static void replaceKey(SqlSession s, String sql, DeviceAddress device, SignedPreKey key) throws SQLException {
        PreparedStatement ps = s.prepare(sql);
        ps.setInt(1, key.keyId());
        ps.setBytes(2, key.publicKey());
        ps.setBytes(3, key.signature());
        ps.setBytes(4, Uuids.toBytes(device.accountId()));
        ps.setInt(5, device.deviceId());
        ps.executeUpdate();
    }

    @Override
    public void touch(DeviceAddress device, long now) {
        db.write(s -> {
            PreparedStatement ps = s.prepare("UPDATE devices SET last_seen = ? WHERE account_id = ? AND device_id = ?");
            ps.setLong(1, now);
            ps.setBytes(2, Uuids.toBytes(device.accountId()));
            ps.setInt(3, device.deviceId());
            return ps.executeUpdate();
        });
    }

    @Override
    public void createRegistrationToken(byte[] tokenHash, int uses, Long expiresAt, long now) {
        db.write(s -> {
            PreparedStatement ps = s.prepare(
                    "INSERT INTO registration_tokens (token_hash, uses_left, expires_at, created_at) VALUES (?, ?, ?, ?)");
            ps.setBytes(1, tokenHash);
            ps.setInt(2, uses);
            if (expiresAt == null) ps.setNull(3, java.sql.Types.INTEGER);
            else ps.setLong(3, expiresAt);
            ps.setLong(4, now);
            return ps.executeUpdate();
        });
    }

    static boolean isConstraint(SQLiteException e) {
        return e.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE
                || e.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY;
    }
}
