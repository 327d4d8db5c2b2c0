package dev.courier.client.internal.store;

import dev.courier.client.Contact;
import dev.courier.client.Message;
import dev.courier.client.MessageStatus;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/// Contacts and message history.
public final class Conversations {
    private final DeviceStore db;
    private final SignalStore signal;

    public Conversations(DeviceStore db, SignalStore signal) {
        this.db = db;
        this.signal = signal;
    }

    public void saveContact(UUID accountId, String username) {
        db.update("""
                INSERT INTO contacts (account_id, username) VALUES (?, ?)
                ON CONFLICT (account_id) DO UPDATE SET username = coalesce(excluded.username, contacts.username)""",
                accountId.toString(), username);
    }

    public boolean isContact(UUID accountId) {
        return db.queryOne("SELECT 1 FROM contacts WHERE account_id = ?", rs -> true, accountId.toString()).isPresent();
    }

    public Optional<UUID> accountByUsername(String username) {
        return db.queryOne("SELECT account_id FROM contacts WHERE username = ?", rs -> UUID.fromString(rs.getString(1)),
                username.toLowerCase(java.util.Locale.ROOT));
    }

    public Optional<String> username(UUID accountId) {
        return db.queryOne("SELECT username FROM contacts WHERE account_id = ?", rs -> rs.getString(1), accountId.toString());
    }

    public List<Contact> contacts() {
        record Row(String accountId, String username) {}
        return db.query("SELECT account_id, username FROM contacts ORDER BY username", rs -> new Row(rs.getString(1), rs.getString(2)))
                .stream()
                .map(r -> new Contact(UUID.fromString(r.accountId()), r.username(), signal.identityChanged(r.accountId())))
                .toList();
    }

    /// Stores an incoming message unless it is already there. True if it was new.
    public boolean addIncoming(UUID id, UUID peer, String body, long timestamp) {
        return db.update("INSERT OR IGNORE INTO messages (id, peer, outgoing, body, timestamp, status) VALUES (?, ?, 0, ?, ?, ?)",
                id.toString(), peer.toString(), body, timestamp, MessageStatus.DELIVERED.name()) == 1;
    }

    public void addOutgoing(UUID id, UUID peer, String body, long timestamp) {
        db.update("INSERT INTO messages (id, peer, outgoing, body, timestamp, status) VALUES (?, ?, 1, ?, ?, ?)",
                id.toString(), peer.toString(), body, timestamp, MessageStatus.PENDING.name());
    }

    /// Moves an outgoing message's status forward; never backward. True if it changed.
    public boolean advance(UUID id, MessageStatus next) {
        return db.transaction(() -> {
            Optional<MessageStatus> current = outgoingStatus(id);
            if (current.isEmpty() || !current.get().canMoveTo(next)) return false;
            db.update("UPDATE messages SET status = ? WHERE id = ? AND outgoing = 1", next.name(), id.toString());
            return true;
        });
    }

    public Optional<MessageStatus> outgoingStatus(UUID id) {
        return db.queryOne("SELECT status FROM messages WHERE id = ? AND outgoing = 1", rs -> MessageStatus.valueOf(rs.getString(1)),
                id.toString());
    }

    /// Only messages that `peer` sent may be acknowledged by `peer`'s receipts.
    public boolean isOutgoingTo(UUID id, UUID peer) {
        return db.queryOne("SELECT 1 FROM messages WHERE id = ? AND peer = ? AND outgoing = 1", rs -> true,
                id.toString(), peer.toString()).isPresent();
    }

    /// Incoming messages from `peer` not yet read; marks them read and returns their IDs.
    public List<UUID> markRead(UUID peer) {
        return db.transaction(() -> {
            List<UUID> ids = db.query("SELECT id FROM messages WHERE peer = ? AND outgoing = 0 AND status <> ?",
                    rs -> UUID.fromString(rs.getString(1)), peer.toString(), MessageStatus.READ.name());
            db.update("UPDATE messages SET status = ? WHERE peer = ? AND outgoing = 0", MessageStatus.READ.name(), peer.toString());
            return ids;
        });
    }

    public List<Message> history(UUID peer, int limit) {
        String name = username(peer).orElse(null);
        List<Message> newestFirst = db.query("""
                SELECT id, outgoing, body, timestamp, status FROM messages WHERE peer = ?
                ORDER BY timestamp DESC, seq DESC LIMIT ?""",
                rs -> new Message(UUID.fromString(rs.getString(1)), peer, name, rs.getInt(2) == 1, rs.getString(3),
                        rs.getLong(4), MessageStatus.valueOf(rs.getString(5))), peer.toString(), limit);
        return newestFirst.reversed();
    }

    public Optional<Message> message(UUID id, boolean outgoing) {
        return db.queryOne("SELECT peer, body, timestamp, status FROM messages WHERE id = ? AND outgoing = ?",
                rs -> {
                    UUID peer = UUID.fromString(rs.getString(1));
                    return new Message(id, peer, null, outgoing, rs.getString(2), rs.getLong(3), MessageStatus.valueOf(rs.getString(4)));
                }, id.toString(), outgoing);
    }
}
