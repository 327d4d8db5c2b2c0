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
///
/// Every send authenticates its device, resolves the recipient's account and lists its devices:
/// three reads that almost always return what they returned last time. They are served from
/// [ReadCache]s, which the writes below invalidate after they commit. Bounds keep the caches
/// small: a device list carries the Kyber last-resort key (about 1.6 KiB).
public final class SqliteAccountStore implements AccountStore {
    private static final int CACHED_ACCOUNTS = 16_384;
    private static final int CACHED_DEVICE_LISTS = 4_096;
    private static final int CACHED_CREDENTIALS = 16_384;

    private final SqliteDatabase db;
    private final ReadCache<UUID, Account> accountsById = new ReadCache<>(CACHED_ACCOUNTS);
    /// Usernames never change and accounts are never deleted, so this one is never invalidated.
    private final ReadCache<String, Account> accountsByName = new ReadCache<>(CACHED_ACCOUNTS);
    private final ReadCache<UUID, List<Device>> devices = new ReadCache<>(CACHED_DEVICE_LISTS);
    private final ReadCache<DeviceAddress, DeviceCredential> credentials = new ReadCache<>(CACHED_CREDENTIALS);

    public SqliteAccountStore(SqliteDatabase db) {
        this.db = db;
    }

    @Override
    public Account create(UUID accountId, String username, NewDevice firstDevice, Optional<byte[]> registrationTokenHash, long now) {
        Account created = db.write(s -> {
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
        // An earlier look-up may have cached the empty device list of this then-unknown ID.
        devices.invalidate(accountId);
        return created;
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
        Optional<Account> cached = accountsById.get(accountId);
        if (cached.isPresent()) return cached;
        long ticket = accountsById.ticket();
        Optional<Account> found = db.read(s -> {
            PreparedStatement ps = s.prepare("SELECT id, username, created_at FROM accounts WHERE id = ?");
            ps.setBytes(1, Uuids.toBytes(accountId));
            return oneAccount(ps);
        });
        found.ifPresent(a -> accountsById.offer(ticket, accountId, a));
        return found;
    }

    @Override
    public Optional<Account> findByUsername(String normalisedUsername) {
        Optional<Account> cached = accountsByName.get(normalisedUsername);
        if (cached.isPresent()) return cached;
        long ticket = accountsByName.ticket();
        Optional<Account> found = db.read(s -> {
            PreparedStatement ps = s.prepare("SELECT id, username, created_at FROM accounts WHERE username = ?");
            ps.setString(1, normalisedUsername);
            return oneAccount(ps);
        });
        found.ifPresent(a -> accountsByName.offer(ticket, normalisedUsername, a));
        return found;
    }

    private static Optional<Account> oneAccount(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) return Optional.empty();
            return Optional.of(new Account(Uuids.fromBytes(rs.getBytes(1)), rs.getString(2), rs.getLong(3)));
        }
    }

    @Override
    public int addDevice(UUID accountId, NewDevice device, int maxDevices, long now) {
        int added = db.write(s -> {
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
        devices.invalidate(accountId);
        return added;
    }

    @Override
    public boolean removeDevice(DeviceAddress device) {
        boolean removed = db.write(s -> {
            PreparedStatement ps = s.prepare("DELETE FROM devices WHERE account_id = ? AND device_id = ?");
            ps.setBytes(1, Uuids.toBytes(device.accountId()));
            ps.setInt(2, device.deviceId());
            return ps.executeUpdate() == 1;
        });
        // Before returning: once the caller hears "removed", the credential must stop working.
        credentials.invalidate(device);
        devices.invalidate(device.accountId());
        return removed;
    }

    @Override
    public List<Device> devices(UUID accountId) {
        Optional<List<Device>> cached = devices.get(accountId);
        if (cached.isPresent()) return cached.get();
        long ticket = devices.ticket();
        List<Device> found = List.copyOf(db.read(s -> {
            PreparedStatement ps = s.prepare("SELECT " + DeviceRows.COLUMNS + " FROM devices WHERE account_id = ? ORDER BY device_id");
            ps.setBytes(1, Uuids.toBytes(accountId));
            return DeviceRows.readAll(ps);
        }));
        devices.offer(ticket, accountId, found);
        return found;
    }

    /// The salt and hash only: the caller still verifies the presented token against them, in
    /// constant time, on every request.
    @Override
    public Optional<DeviceCredential> credential(DeviceAddress device) {
        Optional<DeviceCredential> cached = credentials.get(device);
        if (cached.isPresent()) return cached;
        long ticket = credentials.ticket();
        Optional<DeviceCredential> found = db.read(s -> {
            PreparedStatement ps = s.prepare("SELECT " + DeviceRows.CREDENTIAL_COLUMNS
                    + " FROM devices WHERE account_id = ? AND device_id = ?");
            ps.setBytes(1, Uuids.toBytes(device.accountId()));
            ps.setInt(2, device.deviceId());
            return DeviceRows.readCredential(ps);
        });
        found.ifPresent(c -> credentials.offer(ticket, device, c));
        return found;
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
        devices.invalidate(device.accountId());
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
        devices.invalidate(device.accountId()); // its lastSeen changed
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
