package dev.courier.client;

/// Where a sent message stands. The happy path only moves forward: PENDING → SENT → DELIVERED →
/// READ. UNTRUSTED holds a message while a changed safety number waits for the user; FAILED and
/// EXPIRED are ends for messages the server refused or could not deliver in time.
public enum MessageStatus {
    /// In the outbox, not yet accepted by the server.
    PENDING,
    /// Held: the recipient's safety number changed and the user has not accepted it.
    UNTRUSTED,
    /// The server refused it for good (for example, the recipient no longer exists).
    FAILED,
    /// The server stored it durably for every device of the recipient (its `200`).
    SENT,
    /// The server gave up delivering it after its retention time (an expiry notice came back).
    EXPIRED,
    /// A device of the recipient decrypted and stored it (a delivery receipt came back).
    DELIVERED,
    /// The recipient read it (a read receipt came back).
    READ;

    /// True if a message in this status may move to `next`.
    public boolean canMoveTo(MessageStatus next) {
        return switch (this) {
            case PENDING -> next != PENDING;
            // trust() puts a held message back in the outbox: it is PENDING again, so awaitStatus
            // waits for it instead of returning UNTRUSTED at once.
            case UNTRUSTED -> next != UNTRUSTED;
            case FAILED, READ -> false;
            case SENT -> next == EXPIRED || next == DELIVERED || next == READ;
            case EXPIRED -> next == DELIVERED || next == READ; // another device may still have got it
            case DELIVERED -> next == READ;
        };
    }
}
