package dev.courier.server.storage.postgres;

import static dev.courier.server.storage.postgres.PostgresAccountStore.bindDevice;

import dev.courier.protocol.EnvelopeType;
import dev.courier.server.accounts.DeviceAddress;
import dev.courier.server.messages.ExpiryResult;
import dev.courier.server.messages.MessageStore;
import dev.courier.server.messages.MismatchedDevicesException;
import dev.courier.server.messages.OutgoingBatch;
import dev.courier.server.messages.QueueFullException;
import dev.courier.server.messages.SentMessage;
import dev.courier.server.messages.StoredEnvelope;
import dev.courier.server.storage.ExpiryTally;
import dev.courier.server.storage.StorageException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/// [MessageStore] on PostgreSQL. Each device's queue is its rows of `envelopes` in `seq` order;
/// its `device_queues` row holds the next `seq` and the queue's depth.
///
/// ## Why `seq` comes from a per-device counter under a row lock
///
/// A live connection reads its queue as "envelopes with `seq` greater than the last one I sent"
/// ([#pending]). That is only correct if, for one device, no reader can ever see `seq` N+1
/// committed while N is still to come: the reader would move its cursor past N and never
/// deliver it. A global sequence (`serial`) gives no such promise: two sends take N and N+1,
/// and the second may commit first. So a send takes its `seq` with
/// `UPDATE device_queues SET next_seq = next_seq + 1 ... RETURNING`, which holds the row's lock
/// until the send commits: the next send to that device waits for the lock and takes N+1 only
/// after N is committed (or rolled back, in which case N is never used and the gap is harmless).
/// The same lock makes the depth check and increment atomic, so the queue cap holds under
/// concurrent sends, and no global counter sits on the hot path, so the table can be sharded by
/// account.
///
/// Lock order: a transaction that updates several queue rows takes them in [#LOCK_ORDER], so two
/// of them can never wait for each other in a circle. (PostgreSQL would detect such a deadlock
/// and [PostgresDatabase#transaction] would run the loser again, but it is better avoided.)
public final class PostgresMessageStore implements MessageStore {
    private static final Comparator<DeviceAddress> LOCK_ORDER =
            Comparator.comparing(DeviceAddress::accountId).thenComparingInt(DeviceAddress::deviceId);
    private static final String ENVELOPE_COLUMNS = """
            seq, guid, type, source_account, source_device, server_timestamp, client_timestamp, content, expired_ids""";
    private static final String INSERT_ENVELOPE = """
            INSERT INTO envelopes (account_id, device_id, seq, guid, type, source_account, source_device, message_id,
                client_timestamp, server_timestamp, content, expired_ids, expires_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";

    private final PostgresDatabase db;

    public PostgresMessageStore(PostgresDatabase db) {
        this.db = db;
    }

    @Override
    public Optional<SentMessage> findSent(UUID sender, UUID messageId) {
        return db.autocommit(c -> findSent(c, sender, messageId));
    }

    private static Optional<SentMessage> findSent(Connection c, UUID sender, UUID messageId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT recipient_account, server_timestamp FROM sent_messages WHERE sender_account = ? AND message_id = ?")) {
            ps.setObject(1, sender);
            ps.setObject(2, messageId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                return Optional.of(new SentMessage(rs.getObject(1, UUID.class), rs.getLong(2)));
            }
        }
    }

    @Override
    public StoreResult store(OutgoingBatch batch, int maxQueueDepth) {
        return db.transaction(c -> {
            // Claim the message ID first. A concurrent retry of the same send waits on this row
            // until we commit, then finds it taken and answers with our record; if we roll back
            // (queue full, device removed) the claim goes with us.
            if (!claimMessageId(c, batch)) {
                SentMessage previous = findSent(c, batch.sender(), batch.messageId()).orElseThrow(() ->
                        new StorageException("the record of a repeated send vanished while it was read (purged?)", null));
                return new StoreResult(previous, false);
            }
            List<OutgoingBatch.DeviceCiphertext> inLockOrder = batch.ciphertexts().stream()
                    .sorted(Comparator.comparingInt(OutgoingBatch.DeviceCiphertext::deviceId)).toList();
            try (PreparedStatement insert = c.prepareStatement(INSERT_ENVELOPE)) {
                for (OutgoingBatch.DeviceCiphertext ct : inLockOrder) {
                    DeviceAddress target = new DeviceAddress(batch.recipient(), ct.deviceId());
                    // Gone: the device was removed after the caller checked the device list.
                    QueueSlot slot = takeSlot(c, target)
                            .orElseThrow(() -> new MismatchedDevicesException(List.of(), List.of(ct.deviceId())));
                    if (slot.depthBefore() >= maxQueueDepth) throw new QueueFullException(ct.deviceId());
                    bindEnvelope(insert, target, slot.seq(), ct.type(), batch.serverTimestamp(), batch.expiresAt());
                    insert.setObject(6, batch.sender());
                    insert.setInt(7, batch.senderDevice());
                    insert.setObject(8, batch.messageId());
                    insert.setLong(9, batch.clientTimestamp());
                    insert.setBytes(11, ct.content());
                    insert.setNull(12, Types.ARRAY);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            return new StoreResult(new SentMessage(batch.recipient(), batch.serverTimestamp()), true);
        });
    }

    /// Records the send; false if the sender already sent this message ID.
    private static boolean claimMessageId(Connection c, OutgoingBatch batch) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO sent_messages (sender_account, message_id, recipient_account, server_timestamp)
                VALUES (?, ?, ?, ?) ON CONFLICT (sender_account, message_id) DO NOTHING""")) {
            ps.setObject(1, batch.sender());
            ps.setObject(2, batch.messageId());
            ps.setObject(3, batch.recipient());
            ps.setLong(4, batch.serverTimestamp());
            return ps.executeUpdate() == 1;
        }
    }

    /// A place in a device's queue: the envelope's `seq`, and how many envelopes were queued before it.
    private record QueueSlot(long seq, int depthBefore) {}

    /// Takes the next `seq` of `device`'s queue and counts one more envelope, locking the queue's
    /// row until commit (see the class comment). Empty if the device does not exist.
    private static Optional<QueueSlot> takeSlot(Connection c, DeviceAddress device) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE device_queues SET next_seq = next_seq + 1, depth = depth + 1
                WHERE account_id = ? AND device_id = ?
                RETURNING next_seq - 1, depth - 1""")) {
            bindDevice(ps, 1, device);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new QueueSlot(rs.getLong(1), rs.getInt(2))) : Optional.empty();
            }
        }
    }

    /// Binds the columns every envelope has; the caller binds parameters 6 to 9, 11 and 12.
    private static void bindEnvelope(PreparedStatement ps, DeviceAddress target, long seq, int type, long serverTimestamp,
                                     long expiresAt) throws SQLException {
        bindDevice(ps, 1, target);
        ps.setLong(3, seq);
        ps.setObject(4, UUID.randomUUID());
        ps.setInt(5, type);
        ps.setLong(10, serverTimestamp);
        ps.setLong(13, expiresAt);
    }

    @Override
    public List<StoredEnvelope> pending(DeviceAddress device, long afterSeq, int limit) {
        return db.autocommit(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + ENVELOPE_COLUMNS
                    + " FROM envelopes WHERE account_id = ? AND device_id = ? AND seq > ? ORDER BY seq LIMIT ?")) {
                bindDevice(ps, 1, device);
                ps.setLong(3, afterSeq);
                ps.setInt(4, limit);
                List<StoredEnvelope> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new StoredEnvelope(rs.getLong(1), rs.getObject(2, UUID.class), rs.getInt(3),
                                rs.getObject(4, UUID.class), rs.getObject(5, Integer.class), rs.getLong(6),
                                rs.getObject(7, Long.class), rs.getBytes(8), uuidList(rs.getArray(9))));
                    }
                }
                return out;
            }
        });
    }

    private static List<UUID> uuidList(Array array) throws SQLException {
        if (array == null) return null;
        try {
            return List.of((UUID[]) array.getArray());
        } finally {
            array.free();
        }
    }

    @Override
    public int acknowledge(DeviceAddress device, Collection<UUID> guids) {
        if (guids.isEmpty()) return 0;
        // One statement, so one transaction: the deletes and the depth change commit together.
        // The owner check is part of the delete: another device's GUID matches no row.
        return db.autocommit(c -> deleteAcknowledged(c, device, guids));
    }

    /// One transaction for every device's acks, their queue rows taken in [#LOCK_ORDER].
    @Override
    public int acknowledge(Map<DeviceAddress, ? extends Collection<UUID>> byDevice) {
        if (byDevice.isEmpty()) return 0;
        List<DeviceAddress> inLockOrder = byDevice.keySet().stream().sorted(LOCK_ORDER).toList();
        return db.transaction(c -> {
            int deleted = 0;
            for (DeviceAddress device : inLockOrder) deleted += deleteAcknowledged(c, device, byDevice.get(device));
            return deleted;
        });
    }

    private static int deleteAcknowledged(Connection c, DeviceAddress device, Collection<UUID> guids) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                WITH gone AS (
                    DELETE FROM envelopes WHERE account_id = ? AND device_id = ? AND guid = ANY (?)
                    RETURNING account_id, device_id),
                counted AS (
                    SELECT account_id, device_id, count(*) AS n FROM gone GROUP BY account_id, device_id),
                updated AS (
                    UPDATE device_queues q SET depth = q.depth - counted.n
                    FROM counted WHERE q.account_id = counted.account_id AND q.device_id = counted.device_id)
                SELECT coalesce(sum(n), 0) FROM counted""")) {
            bindDevice(ps, 1, device);
            ps.setArray(3, c.createArrayOf("uuid", guids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    @Override
    public int queueDepth(DeviceAddress device) {
        return db.autocommit(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT depth FROM device_queues WHERE account_id = ? AND device_id = ?")) {
                bindDevice(ps, 1, device);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getInt(1) : 0;
                }
            }
        });
    }

    @Override
    public ExpiryResult expire(long now, long noticeExpiresAt, int limit) {
        return db.transaction(c -> {
            // SKIP LOCKED: expiry passes of several nodes share the work instead of queueing, and
            // an envelope being acknowledged right now is left to its ack.
            ExpiryTally tally = new ExpiryTally();
            try (PreparedStatement ps = c.prepareStatement("""
                    DELETE FROM envelopes WHERE (account_id, device_id, seq) IN (
                        SELECT account_id, device_id, seq FROM envelopes WHERE expires_at <= ?
                        ORDER BY expires_at LIMIT ? FOR UPDATE SKIP LOCKED)
                    RETURNING account_id, device_id, type, source_account, message_id""")) {
                ps.setLong(1, now);
                ps.setInt(2, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        tally.add(new DeviceAddress(rs.getObject(1, UUID.class), rs.getInt(2)), rs.getInt(3),
                                rs.getObject(4, UUID.class), rs.getObject(5, UUID.class));
                    }
                }
            }
            Map<DeviceAddress, List<UUID>> notices = new TreeMap<>(LOCK_ORDER);
            for (var entry : tally.expiredBySender().entrySet()) {
                for (int deviceId : deviceIds(c, entry.getKey())) {
                    notices.put(new DeviceAddress(entry.getKey(), deviceId), entry.getValue());
                }
            }
            SortedSet<DeviceAddress> queues = new TreeSet<>(LOCK_ORDER);
            queues.addAll(tally.removedPerQueue().keySet());
            queues.addAll(notices.keySet());
            Set<DeviceAddress> notified = new HashSet<>();
            for (DeviceAddress queue : queues) {
                Integer removed = tally.removedPerQueue().get(queue);
                if (removed != null) shrink(c, queue, removed);
                List<UUID> expiredIds = notices.get(queue);
                if (expiredIds != null && insertNotice(c, queue, expiredIds, now, noticeExpiresAt)) notified.add(queue);
            }
            return new ExpiryResult(tally.expired(), notified);
        });
    }

    private static List<Integer> deviceIds(Connection c, UUID account) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT device_id FROM devices WHERE account_id = ?")) {
            ps.setObject(1, account);
            List<Integer> ids = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) ids.add(rs.getInt(1));
            }
            return ids;
        }
    }

    private static void shrink(Connection c, DeviceAddress queue, int removed) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE device_queues SET depth = depth - ? WHERE account_id = ? AND device_id = ?")) {
            ps.setInt(1, removed);
            bindDevice(ps, 2, queue);
            ps.executeUpdate();
        }
    }

    /// Queues an expiry notice, whatever the queue's depth; false if the device was removed meanwhile.
    private static boolean insertNotice(Connection c, DeviceAddress device, List<UUID> messageIds, long now,
                                        long expiresAt) throws SQLException {
        Optional<QueueSlot> slot = takeSlot(c, device);
        if (slot.isEmpty()) return false;
        try (PreparedStatement ps = c.prepareStatement(INSERT_ENVELOPE)) {
            bindEnvelope(ps, device, slot.get().seq(), EnvelopeType.EXPIRY_NOTICE, now, expiresAt);
            ps.setNull(6, Types.OTHER);
            ps.setNull(7, Types.INTEGER);
            ps.setNull(8, Types.OTHER);
            ps.setNull(9, Types.BIGINT);
            ps.setNull(11, Types.BINARY);
            ps.setArray(12, c.createArrayOf("uuid", messageIds.toArray()));
            ps.executeUpdate();
        }
        return true;
    }

    @Override
    public int purgeSent(long createdBefore) {
        return db.autocommit(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM sent_messages WHERE server_timestamp < ?")) {
                ps.setLong(1, createdBefore);
                return ps.executeUpdate();
            }
        });
    }
}
