package dev.courier.bench.load;

import dev.courier.protocol.DeviceKeys;
import dev.courier.protocol.SignedPreKey;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/// Public keys of the right shape for registering load-test devices.
///
/// The server checks only type bytes and lengths (docs/API.md §6, "Key formats") and never
/// verifies a signature, and the server scenarios send opaque payloads, so no real key pair is
/// needed: making thousands of real Kyber-1024 keys would only cost the generator CPU.
public final class PlaceholderKeys {
    private static final int EC_KEY = 33;
    private static final int KYBER_KEY = 1569;
    private static final int SIGNATURE = 64;

    private PlaceholderKeys() {}

    /// Identity, signed EC pre-key and last-resort Kyber key; no one-time keys (nobody fetches them).
    public static DeviceKeys device() {
        return new DeviceKeys(typed(EC_KEY, 0x05), new SignedPreKey(1, typed(EC_KEY, 0x05), random(SIGNATURE)),
                new SignedPreKey(2, typed(KYBER_KEY, 0x08), random(SIGNATURE)), List.of(), List.of());
    }

    private static byte[] typed(int length, int type) {
        byte[] key = random(length);
        key[0] = (byte) type;
        return key;
    }

    static byte[] random(int length) {
        byte[] b = new byte[length];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }
}
