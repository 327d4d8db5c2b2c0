package dev.courier.client.internal.store;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/// Messages waiting to be sent, in order. An item leaves only after the server's `200`, so a
/// crash or restart never loses one; a retry reuses the item's ID, so it never sends twice.
public final class Outbox {
    /// One waiting send. `content` is the padded plaintext; `kind` is `text` or `receipt`.
    public record Item(UUID id, UUID recipient, String kind, byte[] content, int attempts) {}

    private final DeviceStore db;

    public Outbox(DeviceStore db) {
        this.db = db;
    }

    public void add(UUID id, UUID recipient, String kind, byte[] content) {
        db.update("INSERT OR IGNORE INTO outbox (id, recipient, kind, content) VALUES (?, ?, ?, ?)",
                id.toString(), recipient.toString(), kind, content);
    }

    /// The oldest due item of each recipient whose oldest item is due and not held: messages to one
    /// recipient leave in the order they were written.
    public List<Item> due(long now) {
        record Row(Item item, long nextAttempt, boolean held) {}
        List<Row> rows = db.query("SELECT id, recipient, kind, content, attempts, next_attempt_at, held FROM outbox ORDER BY seq",
                rs -> new Row(new Item(UUID.fromString(rs.getString(1)), UUID.fromString(rs.getString(2)), rs.getString(3),
                        rs.getBytes(4), rs.getInt(5)), rs.getLong(6), rs.getInt(7) == 1));
        Set<UUID> seen = new HashSet<>();
        List<Item> out = new ArrayList<>();
        for (Row r : rows) {
            if (!seen.add(r.item().recipient())) continue;
            if (!r.held() && r.nextAttempt() <= now) out.add(r.item());
        }
        return out;
    }

    /// When the next not-held item becomes due, if any.
    public Optional<Long> nextDueAt() {
        return db.queryOne("SELECT min(next_attempt_at) FROM outbox WHERE held = 0", rs -> {
            long v = rs.getLong(1);
            return rs.wasNull() ? null : v;
        });
    }

    public void remove(UUID id) {
        db.update("DELETE FROM outbox WHERE id = ?", id.toString());
    }

    public void retryLater(UUID id, long at) {
        db.update("UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ? WHERE id = ?", at, id.toString());
    }

    /// Holds every item to `recipient` until [#release] (an untrusted identity).
    public void hold(UUID recipient) {
        db.update("UPDATE outbox SET held = 1 WHERE recipient = ?", recipient.toString());
    }

    public List<UUID> release(UUID recipient) {
        return db.transaction(() -> {
            List<UUID> ids = db.query("SELECT id FROM outbox WHERE recipient = ? AND held = 1", rs -> UUID.fromString(rs.getString(1)),
                    recipient.toString());
            db.update("UPDATE outbox SET held = 0, next_attempt_at = 0 WHERE recipient = ?", recipient.toString());
            return ids;
        });
    }

    public int size() {
        return db.queryOne("SELECT count(*) FROM outbox", rs -> rs.getInt(1)).orElse(0);
    }
}
