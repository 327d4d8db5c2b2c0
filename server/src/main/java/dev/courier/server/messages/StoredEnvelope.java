package dev.courier.server.messages;

import dev.courier.protocol.Envelope;
import java.util.List;
import java.util.UUID;

/// An envelope as the queue holds it. `seq` orders a device's queue; it only grows.
public record StoredEnvelope(long seq, UUID guid, int type, UUID sourceAccount, Integer sourceDevice,
                             long serverTimestamp, Long clientTimestamp, byte[] content, List<UUID> expiredMessageIds) {

    public Envelope toWire() {
        return new Envelope(guid, type, sourceAccount, sourceDevice, serverTimestamp, clientTimestamp, content, expiredMessageIds);
    }

    /// Rough size on the wire, for flow control.
    public int approximateSize() {
        return 256 + (content == null ? 0 : content.length * 4 / 3) + (expiredMessageIds == null ? 0 : expiredMessageIds.size() * 40);
    }
}
