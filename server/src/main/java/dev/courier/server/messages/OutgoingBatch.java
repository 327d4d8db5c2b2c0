package dev.courier.server.messages;

import java.util.List;
import java.util.UUID;

/// One accepted send: a ciphertext for each device of the recipient, all written together.
public record OutgoingBatch(UUID sender, int senderDevice, UUID recipient, UUID messageId, long clientTimestamp,
                            long serverTimestamp, long expiresAt, List<DeviceCiphertext> ciphertexts) {

    public record DeviceCiphertext(int deviceId, int type, byte[] content) {}
}
