package dev.courier.client.internal.store;

import dev.courier.client.Identity;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;
import org.signal.libsignal.protocol.IdentityKeyPair;
import org.signal.libsignal.protocol.InvalidKeyException;

/// The device's own single values, in the `local` table.
public final class LocalState {
    private static final String IDENTITY = "identity_key_pair";
    private static final String REGISTRATION_ID = "registration_id";
    private static final String ACCOUNT = "account_id";
    private static final String USERNAME = "username";
    private static final String DEVICE = "device_id";
    private static final String SERVER = "server";
    private static final String CREDENTIAL = "credential";

    private static final String PUSH_PRIVATE = "push_private_key";
    private static final String PUSH_PUBLIC = "push_public_key";
    private static final String PUSH_AUTH = "push_auth_secret";

    private final DeviceStore db;

    public LocalState(DeviceStore db) {
        this.db = db;
    }

    public boolean isRegistered() {
        return get(CREDENTIAL).isPresent();
    }

    public void saveKeys(IdentityKeyPair identity, int registrationId) {
        put(IDENTITY, identity.serialize());
        putInt(REGISTRATION_ID, registrationId);
    }

    public void saveRegistration(Identity identity, String credential) {
        db.transaction(() -> {
            put(ACCOUNT, identity.accountId().toString().getBytes(StandardCharsets.UTF_8));
            put(USERNAME, identity.username().getBytes(StandardCharsets.UTF_8));
            putInt(DEVICE, identity.deviceId());
            put(SERVER, identity.server().toString().getBytes(StandardCharsets.UTF_8));
            put(CREDENTIAL, credential.getBytes(StandardCharsets.UTF_8));
            return null;
        });
    }

    public IdentityKeyPair identityKeyPair() {
        try {
            return new IdentityKeyPair(get(IDENTITY).orElseThrow());
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("the stored identity key is corrupt", e);
        }
    }

    public int registrationId() {
        return getInt(REGISTRATION_ID).orElseThrow();
    }

    public Identity identity() {
        return new Identity(UUID.fromString(text(ACCOUNT)), text(USERNAME), getInt(DEVICE).orElseThrow(), URI.create(text(SERVER)));
    }

    public String credential() {
        return text(CREDENTIAL);
    }

    /// The next `count` key IDs of counter `name`, wrapping within libsignal's 24-bit ID space.
    /// A fresh counter starts at a random point so IDs of a reinstalled device rarely collide.
    public int takeIds(String name, int count) {
        return db.transaction(() -> {
            int next = getInt(name).orElse(1 + (int) (Math.random() * 0xFFFFF));
            putInt(name, (next - 1 + count) % 0xFFFFFF + 1);
            return next;
        });
    }

    public long getLong(String name, long orElse) {
        return get(name).map(b -> ByteBuffer.wrap(b).getLong()).orElse(orElse);
    }

    public void putLong(String name, long value) {
        put(name, ByteBuffer.allocate(8).putLong(value).array());
    }

    /// This device's Web Push message-encryption keys (RFC 8291): a P-256 private scalar, its
    /// public point and the 16-byte auth secret. Replaced together, in one transaction.
    public void savePushKeys(byte[] privateScalar, byte[] publicPoint, byte[] authSecret) {
        db.transaction(() -> {
            put(PUSH_PRIVATE, privateScalar);
            put(PUSH_PUBLIC, publicPoint);
            put(PUSH_AUTH, authSecret);
            return null;
        });
    }

    /// The push keys as `{private scalar, public point, auth secret}`, if this device made any.
    public Optional<byte[][]> pushKeys() {
        Optional<byte[]> priv = get(PUSH_PRIVATE);
        if (priv.isEmpty()) return Optional.empty();
        return Optional.of(new byte[][] {priv.get(), get(PUSH_PUBLIC).orElseThrow(), get(PUSH_AUTH).orElseThrow()});
    }

    private String text(String name) {
        return new String(get(name).orElseThrow(), StandardCharsets.UTF_8);
    }

    private Optional<Integer> getInt(String name) {
        return get(name).map(b -> ByteBuffer.wrap(b).getInt());
    }

    private void putInt(String name, int value) {
        put(name, ByteBuffer.allocate(4).putInt(value).array());
    }

    private Optional<byte[]> get(String name) {
        return db.queryOne("SELECT value FROM local WHERE name = ?", rs -> rs.getBytes(1), name);
    }

    private void put(String name, byte[] value) {
        db.update("INSERT INTO local (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value", name, value);
    }
}
