package dev.courier.server.storage.postgres;

import dev.courier.protocol.SignedPreKey;
import dev.courier.server.ServiceException;
import dev.courier.server.accounts.Account;
import dev.courier.server.accounts.AccountStore;
import dev.courier.server.accounts.Device;
import dev.courier.server.accounts.DeviceAddress;
import dev.courier.server.accounts.DeviceCredential;
import dev.courier.server.accounts.NewDevice;
import dev.courier.server.storage.DeviceRows;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/// [AccountStore] on PostgreSQL.
///
/// Races are settled by the database: a username is claimed with `ON CONFLICT DO NOTHING` (a
/// second claimant waits for the first to commit, then finds it taken); a registration token's
/// use is spent by a conditional `UPDATE`, which re-reads the row after waiting for its lock; and
/// adding a device locks the account row first, so concurrent additions count devices one at a
/// time.
public final class PostgresAccountStore implements AccountStore {
    private final PostgresDatabase db;

    public PostgresAccountStore(PostgresDatabase db) {
        this.db = db;
    }

    @Override
    public Account create(UUID accountId, String username, NewDevice firstDevice, Optional<byte[]> registrationTokenHash, long now) {
        return db.transaction(c -> {
            if (registrationTokenHash.isPresent()) consumeToken(c, registrationTokenHash.get(), now);
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO accounts (id, username, created_at, next_device) VALUES (?, ?, ?, 2)")) {
                ps.setObject(1, accountId);
                ps.setString(2, username);
                ps.setLong(3, now);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO usernames (username, account_id) VALUES (?, ?) ON CONFLICT (username) DO NOTHING")) {
                ps.setString(1, username);
                ps.setObject(2, accountId);
                if (ps.executeUpdate() == 0) {
                    // Thrown inside the transaction: the account row and the token's use roll back.
                    throw ServiceException.conflict("username_taken", "the username '" + username + "' is taken");
                }
            }
            insertDevice(c, accountId, 1, firstDevice, now);
            return new Account(accountId, username, now);
        });
    }

    private static void consumeToken(Connection c, byte[] tokenHash, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE registration_tokens SET uses_left = uses_left - 1
                WHERE token_hash = ? AND uses_left > 0 AND (expires_at IS NULL OR expires_at > ?)""")) {
            ps.setBytes(1, tokenHash);
            ps.setLong(2, now);
            if (ps.executeUpdate() != 1) {
                throw ServiceException.forbidden("invalid_registration_token", "the registration token is unknown, used up or expired");
            }
        }
    }

    /// Inserts the device and its empty queue head.
    private static void insertDevice(Connection c, UUID accountId, int deviceId, NewDevice d, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(DeviceRows.INSERT)) {
            ps.setObject(1, accountId);
            DeviceRows.bindNew(ps, deviceId, d, now);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO device_queues (account_id, device_id) VALUES (?, ?)")) {
            ps.setObject(1, accountId);
            ps.setInt(2, deviceId);
            ps.executeUpdate();
        }
    }

    @Override
    public Optional<Account> findById(UUID accountId) {
        return db.autocommit(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, username, created_at FROM accounts WHERE id = ?")) {
                ps.setObject(1, accountId);
                return oneAccount(ps);
            }
        });
    }

    @Override
    public Optional<Account> findByUsername(String normalisedUsername) {
        return db.autocommit(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT a.id, a.username, a.created_at
                    FROM usernames u JOIN accounts a ON a.id = u.account_id
                    WHERE u.username = ?""")) {
                ps.setString(1, normalisedUsername);
                return oneAccount(ps);
            }
        });
    }

    private static Optional<Account> oneAccount(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) return Optional.empty();
            return Optional.of(new Account(rs.getObject(1, UUID.class), rs.getString(2), rs.getLong(3)));
        }
    }

    @Override
    public int addDevice(UUID accountId, NewDevice device, int maxDevices, long now) {
        return db.transaction(c -> {
            // Taking the next ID locks the account row until commit, so a concurrent addition
            // waits here and then counts this device too: the cap holds.
            int deviceId;
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE accounts SET next_device = next_device + 1 WHERE id = ? RETURNING next_device - 1")) {
                ps.setObject(1, accountId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) throw ServiceException.notFound("account_not_found", "account no longer exists");
                    deviceId = rs.getInt(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM devices WHERE account_id = ?")) {
                ps.setObject(1, accountId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) >= maxDevices) {
                        // Rolls the ID back too: a refused addition spends nothing.
                        throw ServiceException.conflict("too_many_devices", "an account can have at most " + maxDevices + " devices");
                    }
                }
            }
            insertDevice(c, accountId, deviceId, device, now);
            return deviceId;
        });
    }

    @Override
    public boolean removeDevice(DeviceAddress device) {
        // The device's queue head, envelopes and one-time keys go with it (ON DELETE CASCADE).
        return db.autocommit(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM devices WHERE account_id = ? AND device_id = ?")) {
                bindDevice(ps, 1, device);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public List<Device> devices(UUID accountId) {
        return db.autocommit(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + DeviceRows.COLUMNS + " FROM devices WHERE account_id = ? ORDER BY device_id")) {
                ps.setObject(1, accountId);
                return DeviceRows.readAll(ps);
            }
        });
    }

    @Override
    public Optional<DeviceCredential> credential(DeviceAddress device) {
        return db.autocommit(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + DeviceRows.CREDENTIAL_COLUMNS + " FROM devices WHERE account_id = ? AND device_id = ?")) {
                bindDevice(ps, 1, device);
                return DeviceRows.readCredential(ps);
            }
        });
    }

    @Override
    public void updateSignedKeys(DeviceAddress device, SignedPreKey signed, SignedPreKey pqLastResort) {
        // One statement, so one transaction; a null argument keeps the column as it is.
        db.autocommit(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE devices SET
                        signed_key_id = coalesce(?, signed_key_id), signed_key = coalesce(?, signed_key),
                        signed_key_sig = coalesce(?, signed_key_sig),
                        pq_last_resort_id = coalesce(?, pq_last_resort_id), pq_last_resort_key = coalesce(?, pq_last_resort_key),
                        pq_last_resort_sig = coalesce(?, pq_last_resort_sig)
                    WHERE account_id = ? AND device_id = ?""")) {
                bindKeyOrNull(ps, 1, signed);
                bindKeyOrNull(ps, 4, pqLastResort);
                bindDevice(ps, 7, device);
                return ps.executeUpdate();
            }
        });
    }

    private static void bindKeyOrNull(PreparedStatement ps, int first, SignedPreKey key) throws SQLException {
        if (key == null) {
            ps.setNull(first, Types.INTEGER);
            ps.setNull(first + 1, Types.BINARY);
            ps.setNull(first + 2, Types.BINARY);
        } else {
            ps.setInt(first, key.keyId());
            ps.setBytes(first + 1, key.publicKey());
            ps.setBytes(first + 2, key.signature());
        }
    }

    @Override
    public void touch(DeviceAddress device, long now) {
        db.autocommit(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE devices SET last_seen = ? WHERE account_id = ? AND device_id = ?")) {
                ps.setLong(1, now);
                bindDevice(ps, 2, device);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public void createRegistrationToken(byte[] tokenHash, int uses, Long expiresAt, long now) {
        db.autocommit(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO registration_tokens (token_hash, uses_left, expires_at, created_at) VALUES (?, ?, ?, ?)")) {
                ps.setBytes(1, tokenHash);
                ps.setInt(2, uses);
                if (expiresAt == null) ps.setNull(3, Types.BIGINT);
                else ps.setLong(3, expiresAt);
                ps.setLong(4, now);
                return ps.executeUpdate();
            }
        });
    }

    /// Binds `device` as (account_id, device_id) at parameters `first` and `first + 1`.
    static void bindDevice(PreparedStatement ps, int first, DeviceAddress device) throws SQLException {
        ps.setObject(first, device.accountId());
        ps.setInt(first + 1, device.deviceId());
    }
}
