package dev.courier.server.testing;

import dev.courier.protocol.DeviceKeys;
import dev.courier.protocol.PreKey;
import dev.courier.protocol.SignedPreKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/// Key material of the right shape (type bytes and lengths) for server tests. The server never
/// verifies signatures, so random bytes stand in for real libsignal keys here.
public final class TestKeys {
    private static final SecureRandom RANDOM = new SecureRandom();

    private TestKeys() {}

    public static byte[] ecPublicKey() {
        byte[] k = random(33);
        k[0] = 0x05;
        return k;
    }

    public static byte[] kyberPublicKey() {
        byte[] k = random(1569);
        k[0] = 0x08;
        return k;
    }

    public static byte[] signature() {
        return random(64);
    }

    public static SignedPreKey signedEc(int id) {
        return new SignedPreKey(id, ecPublicKey(), signature());
    }

    public static SignedPreKey kyber(int id) {
        return new SignedPreKey(id, kyberPublicKey(), signature());
    }

    public static List<PreKey> preKeys(int firstId, int count) {
        List<PreKey> out = new ArrayList<>();
        for (int i = 0; i < count; i++) out.add(new PreKey(firstId + i, ecPublicKey()));
        return out;
    }

    public static List<SignedPreKey> kyberKeys(int firstId, int count) {
        List<SignedPreKey> out = new ArrayList<>();
        for (int i = 0; i < count; i++) out.add(kyber(firstId + i));
        return out;
    }

    /// A new device's keys with `oneTime` one-time keys of each kind.
    public static DeviceKeys device(int oneTime) {
        return new DeviceKeys(ecPublicKey(), signedEc(1), kyber(1000), preKeys(1, oneTime), kyberKeys(1, oneTime));
    }

    public static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
