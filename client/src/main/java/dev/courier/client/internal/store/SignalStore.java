package dev.courier.client.internal.store;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.signal.libsignal.protocol.IdentityKey;
import org.signal.libsignal.protocol.IdentityKeyPair;
import org.signal.libsignal.protocol.InvalidKeyException;
import org.signal.libsignal.protocol.InvalidKeyIdException;
import org.signal.libsignal.protocol.InvalidMessageException;
import org.signal.libsignal.protocol.NoSessionException;
import org.signal.libsignal.protocol.ReusedBaseKeyException;
import org.signal.libsignal.protocol.SignalProtocolAddress;
import org.signal.libsignal.protocol.ecc.ECPublicKey;
import org.signal.libsignal.protocol.groups.state.SenderKeyRecord;
import org.signal.libsignal.protocol.state.KyberPreKeyRecord;
import org.signal.libsignal.protocol.state.PreKeyRecord;
import org.signal.libsignal.protocol.state.SessionRecord;
import org.signal.libsignal.protocol.state.SignalProtocolStore;
import org.signal.libsignal.protocol.state.SignedPreKeyRecord;

/// libsignal's [SignalProtocolStore] on the device's SQLite file.
///
/// Identity trust is per account, trust on first use: the first key seen for an account is
/// trusted; a different key later is recorded as *changed* and untrusted for sending until the
/// user accepts it ([#trust]). Receiving from a changed identity is allowed (as in Signal), but
/// the change is recorded and reported.
///
/// Each device of an account may publish its own identity key (the server allows it), so every
/// key the user accepted stays trusted: accepting a new device's key must not lock out the
/// account's older devices, whose sessions still use theirs. The `identities` row holds the key
/// the safety number shows: the first one, then the latest that was not yet accepted.
public final class SignalStore implements SignalProtocolStore {
    private final DeviceStore db;
    private final LocalState local;
    private final Consumer<String> onIdentityChanged;

    public SignalStore(DeviceStore db, LocalState local, Consumer<String> onIdentityChanged) {
        this.db = db;
        this.local = local;
        this.onIdentityChanged = onIdentityChanged;
    }

    // ---- identities ----

    @Override
    public IdentityKeyPair getIdentityKeyPair() {
        return local.identityKeyPair();
    }

    @Override
    public int getLocalRegistrationId() {
        return local.registrationId();
    }

    @Override
    public IdentityChange saveIdentity(SignalProtocolAddress address, IdentityKey key) {
        return recordIdentity(address.getName(), key);
    }

    /// Records `key` for account `name`: a first key is trusted; a key not accepted before is
    /// untrusted and marked changed. Returns whether an existing key was replaced.
    public IdentityChange recordIdentity(String name, IdentityKey key) {
        boolean replaced = db.transaction(() -> {
            var stored = storedIdentity(name);
            if (stored == null) {
                db.update("INSERT INTO identities (name, identity_key, trusted, changed, updated_at) VALUES (?, ?, 1, 0, ?)",
                        name, key.serialize(), System.currentTimeMillis());
                accept(name, key.serialize());
                return false;
            }
            if (stored.equals(key) || isAccepted(name, key)) return false;
            db.update("UPDATE identities SET identity_key = ?, trusted = 0, changed = 1, updated_at = ? WHERE name = ?",
                    key.serialize(), System.currentTimeMillis(), name);
            return true;
        });
        if (replaced) onIdentityChanged.accept(name);
        return replaced ? IdentityChange.REPLACED_EXISTING : IdentityChange.NEW_OR_UNCHANGED;
    }

    @Override
    public boolean isTrustedIdentity(SignalProtocolAddress address, IdentityKey key, Direction direction) {
        if (direction == Direction.RECEIVING) return true;
        // No key yet for this account: trust on first use.
        if (storedIdentity(address.getName()) == null) return true;
        return isAccepted(address.getName(), key);
    }

    private boolean isAccepted(String name, IdentityKey key) {
        return db.queryOne("SELECT 1 FROM accepted_identities WHERE name = ? AND identity_key = ?", rs -> true,
                name, key.serialize()).isPresent();
    }

    private void accept(String name, byte[] key) {
        db.update("INSERT OR IGNORE INTO accepted_identities (name, identity_key) VALUES (?, ?)", name, key);
    }

    @Override
    public IdentityKey getIdentity(SignalProtocolAddress address) {
        return storedIdentity(address.getName());
    }

    public IdentityKey storedIdentity(String name) {
        return db.queryOne("SELECT identity_key FROM identities WHERE name = ?", rs -> rs.getBytes(1), name)
                .map(SignalStore::identityKey).orElse(null);
    }

    public boolean identityChanged(String name) {
        return db.queryOne("SELECT changed FROM identities WHERE name = ?", rs -> rs.getInt(1) == 1, name).orElse(false);
    }

    /// The user accepted the account's current identity key.
    public void trust(String name) {
        db.transaction(() -> {
            db.update("INSERT OR IGNORE INTO accepted_identities (name, identity_key) SELECT name, identity_key FROM identities WHERE name = ?",
                    name);
            db.update("UPDATE identities SET trusted = 1, changed = 0, updated_at = ? WHERE name = ?", System.currentTimeMillis(), name);
            return null;
        });
    }

    private static IdentityKey identityKey(byte[] bytes) {
        try {
            return new IdentityKey(bytes);
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("a stored identity key is corrupt", e);
        }
    }

    // ---- one-time EC pre-keys ----

    @Override
    public PreKeyRecord loadPreKey(int id) throws InvalidKeyIdException {
        byte[] b = db.queryOne("SELECT record FROM pre_keys WHERE id = ?", rs -> rs.getBytes(1), id)
                .orElseThrow(() -> new InvalidKeyIdException("no pre-key " + id));
        try {
            return new PreKeyRecord(b);
        } catch (InvalidMessageException e) {
            throw new InvalidKeyIdException("pre-key " + id + " is corrupt");
        }
    }

    @Override
    public void storePreKey(int id, PreKeyRecord record) {
        db.update("INSERT OR REPLACE INTO pre_keys (id, record) VALUES (?, ?)", id, record.serialize());
    }

    @Override
    public boolean containsPreKey(int id) {
        return db.queryOne("SELECT 1 FROM pre_keys WHERE id = ?", rs -> true, id).isPresent();
    }

    @Override
    public void removePreKey(int id) {
        db.update("DELETE FROM pre_keys WHERE id = ?", id);
    }

    // ---- signed pre-keys ----

    @Override
    public SignedPreKeyRecord loadSignedPreKey(int id) throws InvalidKeyIdException {
        byte[] b = db.queryOne("SELECT record FROM signed_pre_keys WHERE id = ?", rs -> rs.getBytes(1), id)
                .orElseThrow(() -> new InvalidKeyIdException("no signed pre-key " + id));
        try {
            return new SignedPreKeyRecord(b);
        } catch (InvalidMessageException e) {
            throw new InvalidKeyIdException("signed pre-key " + id + " is corrupt");
        }
    }

    @Override
    public List<SignedPreKeyRecord> loadSignedPreKeys() {
        List<SignedPreKeyRecord> out = new ArrayList<>();
        for (byte[] b : db.query("SELECT record FROM signed_pre_keys ORDER BY id", rs -> rs.getBytes(1))) {
            try {
                out.add(new SignedPreKeyRecord(b));
            } catch (InvalidMessageException e) {
                throw new IllegalStateException("a stored signed pre-key is corrupt", e);
            }
        }
        return out;
    }

    @Override
    public void storeSignedPreKey(int id, SignedPreKeyRecord record) {
        db.update("INSERT OR REPLACE INTO signed_pre_keys (id, record, created_at) VALUES (?, ?, ?)",
                id, record.serialize(), record.getTimestamp());
    }

    @Override
    public boolean containsSignedPreKey(int id) {
        return db.queryOne("SELECT 1 FROM signed_pre_keys WHERE id = ?", rs -> true, id).isPresent();
    }

    @Override
    public void removeSignedPreKey(int id) {
        db.update("DELETE FROM signed_pre_keys WHERE id = ?", id);
    }

    /// Forgets signed pre-keys created before `before`, except `keep` (the current one).
    public void removeSignedPreKeysOlderThan(long before, int keep) {
        db.update("DELETE FROM signed_pre_keys WHERE created_at < ? AND id <> ?", before, keep);
    }

    // ---- Kyber pre-keys ----

    @Override
    public KyberPreKeyRecord loadKyberPreKey(int id) throws InvalidKeyIdException {
        byte[] b = db.queryOne("SELECT record FROM kyber_pre_keys WHERE id = ?", rs -> rs.getBytes(1), id)
                .orElseThrow(() -> new InvalidKeyIdException("no Kyber pre-key " + id));
        try {
            return new KyberPreKeyRecord(b);
        } catch (InvalidMessageException e) {
            throw new InvalidKeyIdException("Kyber pre-key " + id + " is corrupt");
        }
    }

    @Override
    public List<KyberPreKeyRecord> loadKyberPreKeys() {
        List<KyberPreKeyRecord> out = new ArrayList<>();
        for (byte[] b : db.query("SELECT record FROM kyber_pre_keys ORDER BY id", rs -> rs.getBytes(1))) {
            try {
                out.add(new KyberPreKeyRecord(b));
            } catch (InvalidMessageException e) {
                throw new IllegalStateException("a stored Kyber pre-key is corrupt", e);
            }
        }
        return out;
    }

    @Override
    public void storeKyberPreKey(int id, KyberPreKeyRecord record) {
        storeKyberPreKey(id, record, false);
    }

    public void storeKyberPreKey(int id, KyberPreKeyRecord record, boolean lastResort) {
        db.update("INSERT OR REPLACE INTO kyber_pre_keys (id, record, last_resort, created_at) VALUES (?, ?, ?, ?)",
                id, record.serialize(), lastResort, record.getTimestamp());
    }

    @Override
    public boolean containsKyberPreKey(int id) {
        return db.queryOne("SELECT 1 FROM kyber_pre_keys WHERE id = ?", rs -> true, id).isPresent();
    }

    /// One-time Kyber keys are deleted on use; the last-resort key stays, but each base key may
    /// use it only once, so a replayed handshake is refused.
    @Override
    public void markKyberPreKeyUsed(int kyberId, int signedId, ECPublicKey baseKey) throws ReusedBaseKeyException {
        boolean lastResort = db.queryOne("SELECT last_resort FROM kyber_pre_keys WHERE id = ?", rs -> rs.getInt(1) == 1, kyberId)
                .orElse(false);
        if (!lastResort) {
            db.update("DELETE FROM kyber_pre_keys WHERE id = ?", kyberId);
            return;
        }
        int inserted = db.update("INSERT OR IGNORE INTO kyber_base_keys_seen (kyber_id, signed_id, base_key) VALUES (?, ?, ?)",
                kyberId, signedId, baseKey.serialize());
        if (inserted == 0) throw new ReusedBaseKeyException("this last-resort handshake was seen before");
    }

    // ---- sessions ----

    @Override
    public SessionRecord loadSession(SignalProtocolAddress address) {
        return db.queryOne("SELECT record FROM sessions WHERE name = ? AND device = ?", rs -> rs.getBytes(1),
                address.getName(), address.getDeviceId()).map(SignalStore::sessionRecord).orElse(null);
    }

    @Override
    public List<SessionRecord> loadExistingSessions(List<SignalProtocolAddress> addresses) throws NoSessionException {
        List<SessionRecord> out = new ArrayList<>();
        for (SignalProtocolAddress a : addresses) {
            SessionRecord r = loadSession(a);
            if (r == null) throw new NoSessionException("no session with " + a);
            out.add(r);
        }
        return out;
    }

    @Override
    public List<Integer> getSubDeviceSessions(String name) {
        return db.query("SELECT device FROM sessions WHERE name = ? AND device <> 1", rs -> rs.getInt(1), name);
    }

    /// Every device of `name` this device has a session with.
    public List<Integer> sessionDevices(String name) {
        return db.query("SELECT device FROM sessions WHERE name = ? ORDER BY device", rs -> rs.getInt(1), name);
    }

    @Override
    public void storeSession(SignalProtocolAddress address, SessionRecord record) {
        db.update("INSERT OR REPLACE INTO sessions (name, device, record) VALUES (?, ?, ?)",
                address.getName(), address.getDeviceId(), record.serialize());
    }

    @Override
    public boolean containsSession(SignalProtocolAddress address) {
        SessionRecord r = loadSession(address);
        return r != null && r.hasSenderChain();
    }

    @Override
    public void deleteSession(SignalProtocolAddress address) {
        db.update("DELETE FROM sessions WHERE name = ? AND device = ?", address.getName(), address.getDeviceId());
    }

    @Override
    public void deleteAllSessions(String name) {
        db.update("DELETE FROM sessions WHERE name = ?", name);
    }

    private static SessionRecord sessionRecord(byte[] b) {
        try {
            return new SessionRecord(b);
        } catch (InvalidMessageException e) {
            throw new IllegalStateException("a stored session is corrupt", e);
        }
    }

    // ---- sender keys (groups; stored for completeness of the store contract) ----

    @Override
    public void storeSenderKey(SignalProtocolAddress sender, UUID distributionId, SenderKeyRecord record) {
        db.update("INSERT OR REPLACE INTO sender_keys (name, device, distribution_id, record) VALUES (?, ?, ?, ?)",
                sender.getName(), sender.getDeviceId(), distributionId.toString(), record.serialize());
    }

    @Override
    public SenderKeyRecord loadSenderKey(SignalProtocolAddress sender, UUID distributionId) {
        return db.queryOne("SELECT record FROM sender_keys WHERE name = ? AND device = ? AND distribution_id = ?",
                rs -> rs.getBytes(1), sender.getName(), sender.getDeviceId(), distributionId.toString()).map(b -> {
                    try {
                        return new SenderKeyRecord(b);
                    } catch (InvalidMessageException e) {
                        throw new IllegalStateException("a stored sender key is corrupt", e);
                    }
                }).orElse(null);
    }
}
