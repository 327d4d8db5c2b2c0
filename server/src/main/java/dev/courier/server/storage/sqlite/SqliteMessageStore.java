package dev.courier.server.storage.sqlite;

import dev.courier.protocol.EnvelopeType;
import dev.courier.server.accounts.DeviceAddress;
import dev.courier.server.messages.CommitFeed;
import dev.courier.server.messages.ExpiryResult;
import dev.courier.server.messages.MessageStore;
import dev.courier.server.messages.OutgoingBatch;
import dev.courier.server.messages.QueueFullException;
import dev.courier.server.messages.SentMessage;
import dev.courier.server.messages.MismatchedDevicesException;
import dev.courier.server.messages.StoredEnvelope;
import dev.courier.server.storage.ExpiryTally;
import dev.courier.server.storage.StorageException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/// [MessageStore] on the embedded database. Each device's queue is the rows of `envelopes` for
/// that device in `seq` order; `queue_depths` keeps their count so the cap costs one lookup.
public final class SqliteMessageStore implements MessageStore {
    private static final String ENVELOPE_COLUMNS = """
            seq, guid, type, source_account, source_device, server_timestamp, client_timestamp, content, expired_ids""";

    private final SqliteDatabase db;
    private volatile CommitFeed feed;
    /// The last `seq` given to an envelope; touched only on the writer thread, in [#nextSeq].
    private long lastSeq = -1;

    public SqliteMessageStore(SqliteDatabase db) {
        this.db = db;
    }

    /// One writer thread commits every transaction, and `seq` grows with each insert, so handing
    /// envelopes over after their commit, on that thread, is commit order and `seq` order.
    @Override
    public void feedCommits(CommitFeed feed) {
        this.feed = feed;
    }

    @Override
    public Optional<SentMessage> findSent(UUID sender, UUID messageId) {
        return db.read(s -> findSent(s, sender, messageId));
    }

    private static Optional<SentMessage> findSent(SqlSession s, UUID sender, UUID messageId) throws SQLException {
        PreparedStatement ps = s.prepare(
                "SELECT recipient_account, server_timestamp FROM sent_messages WHERE sender_account = ? AND message_id = ?");
        ps.setBytes(1, Uuids.toBytes(sender));
        ps.setBytes(2, Uuids.toBytes(messageId));
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) return Optional.empty();
            return Optional.of(new SentMessage(Uuids.fromBytes(rs.getBytes(1)), rs.getLong(2)));
        }
    }

    @Override
    public StoreResult store(OutgoingBatch batch, int maxQueueDepth) {
        return db.writeCheckedFirst(storing(batch, maxQueueDepth));
    }

    /// Completes on the writer's completion thread for the commit (see [GroupCommitWriter]); no
    /// thread waits for the commit meanwhile.
    @Override
    public CompletableFuture<StoreResult> storeAsync(OutgoingBatch batch, int maxQueueDepth) {
        return db.writeAsyncCheckedFirst(storing(batch, maxQueueDepth));
    }

    /// A send, as work that checks before it writes (see [GroupCommitWriter]): every refusal is
    /// decided by reads, before the first row is written.
    private SqlWork<StoreResult> storing(OutgoingBatch batch, int maxQueueDepth) {
        return s -> {
            byte[] sender = Uuids.toBytes(batch.sender());
            byte[] messageId = Uuids.toBytes(batch.messageId());
            byte[] recipient = Uuids.toBytes(batch.recipient());
            RuntimeException refusal = refusal(s, recipient, batch.ciphertexts(), maxQueueDepth);
            if (refusal != null) {
                // A repeat of a send already accepted gets the first answer, whatever the queues hold now.
                Optional<SentMessage> previous = findSent(s, batch.sender(), batch.messageId());
                if (previous.isPresent()) return new StoreResult(previous.get(), false);
                throw refusal;
            }
            // Claim the message ID in the one statement that also tells whether it was taken: a
            // retry (even one racing the first attempt) finds the claim and gets the first
            // attempt's record. One statement instead of a lookup and an insert, on the thread
            // every write waits for.
            PreparedStatement claim = s.prepare("""
                    INSERT INTO sent_messages (sender_account, message_id, recipient_account, server_timestamp)
                    VALUES (?, ?, ?, ?) ON CONFLICT (sender_account, message_id) DO NOTHING""");
            claim.setBytes(1, sender);
            claim.setBytes(2, messageId);
            claim.setBytes(3, recipient);
            claim.setLong(4, batch.serverTimestamp());
            if (claim.executeUpdate() == 0) {
                SentMessage previous = findSent(s, batch.sender(), batch.messageId())
                        .orElseThrow(() -> new StorageException("a send's claimed message ID has no record", null));
                return new StoreResult(previous, false);
            }
            PreparedStatement insert = s.prepare("""
                    INSERT INTO envelopes (guid, account_id, device_id, type, source_account, source_device, message_id,
                        client_timestamp, server_timestamp, content, expires_at, seq)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""");
            CommitFeed feed = this.feed;
            List<StoredEnvelope> queued = feed == null ? List.of() : new ArrayList<>(batch.ciphertexts().size());
            for (OutgoingBatch.DeviceCiphertext c : batch.ciphertexts()) {
                UUID guid = UUID.randomUUID();
                insert.setBytes(1, Uuids.toBytes(guid));
                insert.setBytes(2, recipient);
                insert.setInt(3, c.deviceId());
                insert.setInt(4, c.type());
                insert.setBytes(5, sender);
                insert.setInt(6, batch.senderDevice());
                insert.setBytes(7, messageId);
                insert.setLong(8, batch.clientTimestamp());
                insert.setLong(9, batch.serverTimestamp());
                insert.setBytes(10, c.content());
                insert.setLong(11, batch.expiresAt());
                long seq = nextSeq(s);
                insert.setLong(12, seq);
                insert.executeUpdate();
                addDepth(s, recipient, c.deviceId(), 1);
                if (feed != null) {
                    queued.add(new StoredEnvelope(seq, guid, c.type(), batch.sender(), batch.senderDevice(), batch.serverTimestamp(),
                            batch.clientTimestamp(), c.content(), null));
                }
            }
            var record = new SentMessage(batch.recipient(), batch.serverTimestamp());
            if (feed == null) return new StoreResult(record, true);
            // Filled on the writer thread after the commit, read by the caller once the write is done.
            Set<DeviceAddress> handedOver = new HashSet<>();
            s.afterCommit(() -> {
                for (int i = 0; i < queued.size(); i++) {
                    var device = new DeviceAddress(batch.recipient(), batch.ciphertexts().get(i).deviceId());
                    if (feed.committed(device, queued.get(i))) handedOver.add(device);
                }
            });
            return new StoreResult(record, true, handedOver);
        };
    }

    /// The `seq` for a new envelope. The writer thread is the only one that inserts envelopes, so
    /// it numbers them itself instead of asking SQLite for each new row's id: a statement per
    /// envelope less on the thread that every write waits for. The count starts from
    /// `sqlite_sequence`, AUTOINCREMENT's record of the largest `seq` ever used, which survives
    /// deletes and restarts, so no `seq` is reused. An insert that rolls back leaves a gap, which
    /// a queue allows (a cursor asks for `seq` greater than the last it saw).
    private long nextSeq(SqlSession s) throws SQLException {
        if (lastSeq < 0) {
            try (ResultSet rs = s.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'envelopes'").executeQuery()) {
                lastSeq = rs.next() ? rs.getLong(1) : 0;
            }
        }
        return ++lastSeq;
    }

    /// Why the send must be refused, or null: a full queue first, then devices removed since the
    /// caller checked the device list. Only the writer thread removes devices, so none can go
    /// between this check and the send's writes.
    private static RuntimeException refusal(SqlSession s, byte[] account, List<OutgoingBatch.DeviceCiphertext> ciphertexts,
                                            int maxQueueDepth) throws SQLException {
        PreparedStatement ps = s.prepare("""
                SELECT coalesce((SELECT depth FROM queue_depths q WHERE q.account_id = d.account_id AND q.device_id = d.device_id), 0)
                FROM devices d WHERE d.account_id = ? AND d.device_id = ?""");
        ps.setBytes(1, account);
        List<Integer> gone = List.of();
        for (OutgoingBatch.DeviceCiphertext c : ciphertexts) {
            ps.setInt(2, c.deviceId());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    if (gone.isEmpty()) gone = new ArrayList<>();
                    gone.add(c.deviceId());
                } else if (rs.getInt(1) >= maxQueueDepth) {
                    return new QueueFullException(c.deviceId());
                }
            }
        }
        return gone.isEmpty() ? null : new MismatchedDevicesException(List.of(), gone);
    }

    private static int depth(SqlSession s, byte[] account, int deviceId) throws SQLException {
        PreparedStatement ps = s.prepare("SELECT depth FROM queue_depths WHERE account_id = ? AND device_id = ?");
        ps.setBytes(1, account);
        ps.setInt(2, deviceId);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    private static void addDepth(SqlSession s, byte[] account, int deviceId, int delta) throws SQLException {
        PreparedStatement ps = s.prepare("""
                INSERT INTO queue_depths (account_id, device_id, depth) VALUES (?, ?, ?)
                ON CONFLICT (account_id, device_id) DO UPDATE SET depth = depth + excluded.depth""");
        ps.setBytes(1, account);
        ps.setInt(2, deviceId);
        ps.setInt(3, delta);
        ps.executeUpdate();
    }

    @Override
    public List<StoredEnvelope> pending(DeviceAddress device, long afterSeq, int limit) {
        return db.read(s -> {
            PreparedStatement ps = s.prepare("SELECT " + ENVELOPE_COLUMNS
                    + " FROM envelopes WHERE account_id = ? AND device_id = ? AND seq > ? ORDER BY seq LIMIT ?");
            ps.setBytes(1, Uuids.toBytes(device.accountId()));
            ps.setInt(2, device.deviceId());
            ps.setLong(3, afterSeq);
            ps.setInt(4, limit);
            List<StoredEnvelope> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int sourceDevice = rs.getInt(5);
                    Integer sourceDeviceOrNull = rs.wasNull() ? null : sourceDevice;
                    long clientTs = rs.getLong(7);
                    Long clientTsOrNull = rs.wasNull() ? null : clientTs;
                    out.add(new StoredEnvelope(rs.getLong(1), Uuids.fromBytes(rs.getBytes(2)), rs.getInt(3),
                            Uuids.fromBytes(rs.getBytes(4)), sourceDeviceOrNull, rs.getLong(6), clientTsOrNull,
                            rs.getBytes(8), Uuids.listFromBytes(rs.getBytes(9))));
                }
            }
            return out;
        });
    }

    /// Synced: this is the REST acknowledgement, whose `204` says the envelope is gone for good.
    @Override
    public int acknowledge(DeviceAddress device, Collection<UUID> guids) {
        if (guids.isEmpty()) return 0;
        return db.write(s -> deleteAcknowledged(s, device, guids));
    }

    /// One write unit for every device's acks: on the one writer thread a unit costs its
    /// savepoint, its queueing and its caller's wake-up, whatever it holds. Without a sync of its
    /// own (see [MessageStore]): these acks get no answer, and at low rates each deletion would
    /// otherwise cost an fsync of its own, as many as the sends.
    @Override
    public int acknowledge(Map<DeviceAddress, ? extends Collection<UUID>> byDevice) {
        if (byDevice.isEmpty()) return 0;
        return db.writeWithoutSync(s -> {
            int deleted = 0;
            for (var entry : byDevice.entrySet()) deleted += deleteAcknowledged(s, entry.getKey(), entry.getValue());
            return deleted;
        });
    }

    private static int deleteAcknowledged(SqlSession s, DeviceAddress device, Collection<UUID> guids) throws SQLException {
        byte[] account = Uuids.toBytes(device.accountId());
        // The owner check is part of the delete: another device's GUID matches no row.
        PreparedStatement ps = s.prepare("DELETE FROM envelopes WHERE guid = ? AND account_id = ? AND device_id = ?");
        ps.setBytes(2, account);
        ps.setInt(3, device.deviceId());
        int deleted = 0;
        for (UUID guid : guids) {
            ps.setBytes(1, Uuids.toBytes(guid));
            deleted += ps.executeUpdate();
        }
        if (deleted > 0) addDepth(s, account, device.deviceId(), -deleted);
        return deleted;
    }

    @Override
    public int queueDepth(DeviceAddress device) {
        return db.read(s -> depth(s, Uuids.toBytes(device.accountId()), device.deviceId()));
    }

    @Override
    public ExpiryResult expire(long now, long noticeExpiresAt, int limit) {
        return db.write(s -> {
            PreparedStatement del = s.prepare("""
                    DELETE FROM envelopes WHERE seq IN (SELECT seq FROM envelopes WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)
                    RETURNING account_id, device_id, type, source_account, message_id""");
            del.setLong(1, now);
            del.setInt(2, limit);
            ExpiryTally tally = new ExpiryTally();
            try (ResultSet rs = del.executeQuery()) {
                while (rs.next()) {
                    tally.add(new DeviceAddress(Uuids.fromBytes(rs.getBytes(1)), rs.getInt(2)), rs.getInt(3),
                            Uuids.fromBytes(rs.getBytes(4)), Uuids.fromBytes(rs.getBytes(5)));
                }
            }
            for (var change : tally.removedPerQueue().entrySet()) {
                addDepth(s, Uuids.toBytes(change.getKey().accountId()), change.getKey().deviceId(), -change.getValue());
            }
            Set<DeviceAddress> notified = new HashSet<>();
            for (var entry : tally.expiredBySender().entrySet()) {
                for (int deviceId : deviceIds(s, entry.getKey())) {
                    insertNotice(s, entry.getKey(), deviceId, entry.getValue(), now, noticeExpiresAt);
                    notified.add(new DeviceAddress(entry.getKey(), deviceId));
                }
            }
            return new ExpiryResult(tally.expired(), notified);
        });
    }

    private static List<Integer> deviceIds(SqlSession s, UUID account) throws SQLException {
        PreparedStatement ps = s.prepare("SELECT device_id FROM devices WHERE account_id = ?");
        ps.setBytes(1, Uuids.toBytes(account));
        List<Integer> ids = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) ids.add(rs.getInt(1));
        }
        return ids;
    }

    private void insertNotice(SqlSession s, UUID account, int deviceId, List<UUID> messageIds, long now,
                                     long expiresAt) throws SQLException {
        PreparedStatement ps = s.prepare("""
                INSERT INTO envelopes (guid, account_id, device_id, type, server_timestamp, expired_ids, expires_at, seq)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)""");
        byte[] id = Uuids.toBytes(account);
        ps.setBytes(1, Uuids.toBytes(UUID.randomUUID()));
        ps.setBytes(2, id);
        ps.setInt(3, deviceId);
        ps.setInt(4, EnvelopeType.EXPIRY_NOTICE);
        ps.setLong(5, now);
        ps.setBytes(6, Uuids.listToBytes(messageIds));
        ps.setLong(7, expiresAt);
        ps.setLong(8, nextSeq(s));
        ps.executeUpdate();
        addDepth(s, id, deviceId, 1);
    }

    @Override
    public int purgeSent(long createdBefore) {
        return db.write(s -> {
            PreparedStatement ps = s.prepare("DELETE FROM sent_messages WHERE server_timestamp < ?");
            ps.setLong(1, createdBefore);
            return ps.executeUpdate();
        });
    }
}
