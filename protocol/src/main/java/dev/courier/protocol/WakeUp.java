package dev.courier.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/// The plaintext of every wake-up push. It is the same fixed bytes for every device and every
/// message: it names no sender, no message and no count, so even a push service that could read it
/// would learn only that the device has something waiting. The device answers it by connecting
/// and draining its queue over the WebSocket.
public final class WakeUp {
    private static final byte[] PAYLOAD = "{\"courier\":\"wake\"}".getBytes(StandardCharsets.UTF_8);

    private WakeUp() {}

    public static byte[] payload() {
        return PAYLOAD.clone();
    }

    public static boolean isWakeUp(byte[] plaintext) {
        return Arrays.equals(PAYLOAD, plaintext);
    }
}
