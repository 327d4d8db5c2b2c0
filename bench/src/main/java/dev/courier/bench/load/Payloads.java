package dev.courier.bench.load;

import java.nio.ByteBuffer;
import java.util.Base64;

/// Pre-made opaque "ciphertexts" for the server scenarios.
///
/// Real clients send libsignal output, which the server never decrypts; random bytes of the same
/// size cost the server exactly the same, and keep client crypto off the shared CPU (client
/// crypto is timed on its own by the `crypto` scenario). The first 16 bytes carry the send's
/// sequence number and its intended send time (generator `System.nanoTime()`), so the receiving
/// side can match a delivery to its send without any shared table.
public final class Payloads {
    /// The header: sequence number, then intended send time.
    public static final int HEADER = 16;

    private final byte[] template;

    public Payloads(int size) {
        if (size < HEADER) throw new IllegalArgumentException("payloads must be at least " + HEADER + " bytes");
        this.template = PlaceholderKeys.random(size);
    }

    /// The base64 `content` of one send.
    public String content(long sequence, long intendedNanos) {
        byte[] bytes = template.clone();
        ByteBuffer.wrap(bytes).putLong(sequence).putLong(intendedNanos);
        return Base64.getEncoder().encodeToString(bytes);
    }

    public int size() {
        return template.length;
    }

    /// What a delivered payload says about its send.
    public record Stamp(long sequence, long intendedNanos) {
        public static Stamp of(byte[] content) {
            ByteBuffer b = ByteBuffer.wrap(content);
            return new Stamp(b.getLong(), b.getLong());
        }
    }
}
