package dev.courier.server.messages;

import dev.courier.server.accounts.DeviceAddress;

/// Takes each envelope that [MessageStore#store] queues as it commits, for a store that can hand
/// them over in commit order (the SQLite backend, whose one writer thread commits everything).
/// A live connection can then send it from memory instead of reading it back from the store.
///
/// Called on the store's commit path, after the commit and before `store` returns, so it must not
/// block. For one device, envelopes arrive in the order of their `seq`.
@FunctionalInterface
public interface CommitFeed {
    /// True if a live connection of `device` on this node took `envelope`; false leaves the device
    /// to the [QueueListener], as for a store without a feed.
    boolean committed(DeviceAddress device, StoredEnvelope envelope);
}
