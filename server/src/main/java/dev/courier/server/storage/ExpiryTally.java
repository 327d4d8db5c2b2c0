package dev.courier.server.storage;

import dev.courier.protocol.EnvelopeType;
import dev.courier.server.accounts.DeviceAddress;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/// What one expiry pass deleted, gathered row by row, so that every backend applies the same
/// rules to it: each queue's depth drops by what it lost, and each sender hears once of all its
/// expired message IDs. Used by one thread, inside one transaction.
public final class ExpiryTally {
    private int expired;
    private final Map<DeviceAddress, Integer> removedPerQueue = new HashMap<>();
    private final Map<UUID, Set<UUID>> expiredBySender = new HashMap<>();

    /// Records one deleted envelope. `sourceAccount` and `messageId` are null for server notices.
    public void add(DeviceAddress queue, int type, UUID sourceAccount, UUID messageId) {
        expired++;
        removedPerQueue.merge(queue, 1, Integer::sum);
        // A notice that expires is not itself reported: that would loop.
        if (type != EnvelopeType.EXPIRY_NOTICE && sourceAccount != null) {
            expiredBySender.computeIfAbsent(sourceAccount, k -> new LinkedHashSet<>()).add(messageId);
        }
    }

    public int expired() {
        return expired;
    }

    /// How many envelopes each queue lost.
    public Map<DeviceAddress, Integer> removedPerQueue() {
        return removedPerQueue;
    }

    /// For each sender account to notify, its expired message IDs.
    public Map<UUID, List<UUID>> expiredBySender() {
        Map<UUID, List<UUID>> out = new HashMap<>();
        expiredBySender.forEach((sender, ids) -> out.put(sender, List.copyOf(ids)));
        return out;
    }
}
