package dev.courier.cli.messaging;

import dev.courier.client.Contact;
import dev.courier.client.CourierClient;
import dev.courier.client.Message;
import java.util.Optional;
import java.util.UUID;

/// Finds a sent message by ID, to show "✓✓ Hello!" rather than a bare ID when a receipt arrives.
/// The SDK reports status changes by ID only, so this searches the recent history of each contact.
final class SentMessages {
    /// Receipts concern recent messages; older ones are shown by ID.
    private static final int SEARCH_DEPTH = 200;

    private final CourierClient client;

    SentMessages(CourierClient client) {
        this.client = client;
    }

    Optional<Message> find(UUID id) {
        for (Contact c : client.contacts()) {
            String who = c.username() != null ? c.username() : c.accountId().toString();
            for (Message m : client.history(who, SEARCH_DEPTH)) {
                if (m.outgoing() && m.id().equals(id)) return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}
