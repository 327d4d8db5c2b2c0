package dev.courier.server.messages;

import dev.courier.server.accounts.DeviceAddress;
import java.util.Collection;

/// Told, after the commit, which device queues just received envelopes.
@FunctionalInterface
public interface QueueListener {
    void envelopesQueued(Collection<DeviceAddress> devices);

    /// The live connections of `devices` took their new envelopes from the commit ([CommitFeed]):
    /// make sure they send them.
    default void envelopesHandedOver(Collection<DeviceAddress> devices) {}
}
