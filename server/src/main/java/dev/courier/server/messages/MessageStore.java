package dev.courier.server.messages;

import dev.courier.server.accounts.DeviceAddress;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/// Storage port for per-device message queues and the record of accepted sends.
/// Implementations: `SqliteMessageStore`, `PostgresMessageStore`; every one passes `MessageStoreContract`.
///
/// Every write returns only once it is durable (on SQLite: committed with `synchronous=FULL`; on
/// PostgreSQL: committed with `synchronous_commit=on`), except the deletions of the acks that
/// connections send ([#acknowledge(Map)]): they return once committed, and a store may let a
/// power loss undo them. An undone deletion is a redelivery, which the device drops as the
/// duplicate it is (docs/PROTOCOL.md); the delivery contract (a message leaves only once
/// acknowledged) holds either way.
public interface MessageStore {

    Optional<SentMessage> findSent(UUID sender, UUID messageId);

    /// Queues every ciphertext of `batch` and records the send, atomically. If the sender already
    /// sent `batch.messageId()`, queues nothing and returns the first send's record.
    ///
    /// @throws QueueFullException if any target device already holds `maxQueueDepth` envelopes
    /// @throws MismatchedDevicesException (as extra) if a target device was removed meanwhile
    StoreResult store(OutgoingBatch batch, int maxQueueDepth);

    /// [#store] for a caller that should not hold a thread while the write commits: the future
    /// completes with what `store` would return, or fails with what it would throw. A store that
    /// can wait for commits without a thread overrides this; the default runs `store` on a virtual
    /// thread of its own.
    default CompletableFuture<StoreResult> storeAsync(OutgoingBatch batch, int maxQueueDepth) {
        var result = new CompletableFuture<StoreResult>();
        Thread.startVirtualThread(() -> {
            try {
                result.complete(store(batch, maxQueueDepth));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    /// `queued` is false when the send was a duplicate and nothing new was queued. `handedOver`
    /// names the devices whose envelope a [CommitFeed] took; the rest are for the [QueueListener].
    record StoreResult(SentMessage sent, boolean queued, Set<DeviceAddress> handedOver) {
        public StoreResult(SentMessage sent, boolean queued) {
            this(sent, queued, Set.of());
        }
    }

    /// Asks the store to hand every envelope [#store] queues to `feed` as it commits. A store that
    /// cannot promise commit order per device ignores this, and its `handedOver` stays empty.
    default void feedCommits(CommitFeed feed) {}

    /// Up to `limit` envelopes of the device's queue with `seq > afterSeq`, oldest first.
    List<StoredEnvelope> pending(DeviceAddress device, long afterSeq, int limit);

    /// Deletes the envelope `guid` if, and only if, it is queued for `device`.
    default boolean acknowledge(DeviceAddress device, UUID guid) {
        return acknowledge(device, List.of(guid)) == 1;
    }

    /// [#acknowledge(DeviceAddress, UUID)] for each of `guids`, in one write; returns how
    /// many envelopes it deleted. GUIDs not queued for `device` are passed over.
    int acknowledge(DeviceAddress device, Collection<UUID> guids);

    /// [#acknowledge(DeviceAddress, Collection)] for several devices, in one write: the
    /// acks that many connections sent while the last deletion waited for its commit. Returns how
    /// many envelopes it deleted. This default writes once per device.
    default int acknowledge(Map<DeviceAddress, ? extends Collection<UUID>> byDevice) {
        int deleted = 0;
        for (var entry : byDevice.entrySet()) deleted += acknowledge(entry.getKey(), entry.getValue());
        return deleted;
    }

    int queueDepth(DeviceAddress device);

    /// Deletes up to `limit` envelopes whose expiry time is at or before `now`, and queues for
    /// every current device of each sender an expiry notice naming the expired message IDs.
    /// Notices ignore the queue cap: refusing one would drop the news of a loss silently.
    ExpiryResult expire(long now, long noticeExpiresAt, int limit);

    /// Forgets send records created before `createdBefore`; returns how many.
    int purgeSent(long createdBefore);
}
