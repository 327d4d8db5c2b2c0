package dev.courier.protocol;

import java.security.SecureRandom;
import java.util.UUID;

/// New message IDs, as UUIDv7 (RFC 9562, section 5.7): 48 bits of Unix milliseconds, then 74
/// random bits.
///
/// Why not random (v4) IDs: the server keys its record of each send by sender and message ID, to
/// answer retries. A random ID lands on a random page of that index each time, so once the index
/// outgrows the page cache every send dirties a page of its own. An ID that starts with the time
/// lands at the end of its sender's range, on a page the sender's next sends dirty again
/// (measured in docs/BENCHMARKS.md). The 74 random bits keep IDs unguessable and unique without
/// any coordination between devices.
public final class MessageIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    private MessageIds() {}

    /// A new ID stamped with the current time.
    public static UUID next() {
        return at(System.currentTimeMillis());
    }

    /// A new ID stamped with `epochMillis`; only the low 48 bits are kept.
    static UUID at(long epochMillis) {
        byte[] random = new byte[10];
        RANDOM.nextBytes(random);
        long msb = (epochMillis & 0xFFFF_FFFF_FFFFL) << 16
                | 0x7000L                                  // version 7
                | ((random[0] & 0x0FL) << 8) | (random[1] & 0xFFL);
        long lsb = 0;
        for (int i = 2; i < 10; i++) lsb = lsb << 8 | (random[i] & 0xFFL);
        lsb = lsb & 0x3FFF_FFFF_FFFF_FFFFL | 0x8000_0000_0000_0000L;    // variant 10
        return new UUID(msb, lsb);
    }

    /// The milliseconds an ID made here was stamped with.
    static long timestamp(UUID id) {
        return id.getMostSignificantBits() >>> 16;
    }
}
