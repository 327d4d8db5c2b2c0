package dev.courier.protocol;

import java.util.List;
import java.util.UUID;

/// One message waiting for one device. `guid` is the server's ID for this copy and is what the
/// device acknowledges. For client types, `sourceAccount`, `sourceDevice`, `clientTimestamp` and
/// `content` are set; for [EnvelopeType#EXPIRY_NOTICE] only `expiredMessageIds` is.
public record Envelope(UUID guid, int type, UUID sourceAccount, Integer sourceDevice, long serverTimestamp,
                       Long clientTimestamp, byte[] content, List<UUID> expiredMessageIds) {}
