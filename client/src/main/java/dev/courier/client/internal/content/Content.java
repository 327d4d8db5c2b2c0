package dev.courier.client.internal.content;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.UUID;

/// The plaintext inside every Signal ciphertext Courier sends: the "message request" of the story.
/// Version 1; `docs/PROTOCOL.md` is its specification.
///
/// @param v          format version, 1
/// @param kind       `text` or `receipt`; unknown kinds are ignored by receivers
/// @param messageId  the sender-chosen ID; also the send's idempotency key
/// @param sender     the sender's account ID (must match the envelope's source)
/// @param recipient  the recipient's account ID
/// @param timestamp  the sender's clock, epoch milliseconds
/// @param body       for `text`, the message text
/// @param receipt    for `receipt`, `delivered` or `read`
/// @param receiptFor for `receipt`, the message IDs it acknowledges
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Content(int v, String kind, UUID messageId, UUID sender, UUID recipient, long timestamp, String body,
                      String receipt, List<UUID> receiptFor) {
    public static final int VERSION = 1;
    public static final String TEXT = "text";
    public static final String RECEIPT = "receipt";
    public static final String DELIVERED = "delivered";
    public static final String READ = "read";

    public static Content text(UUID messageId, UUID sender, UUID recipient, long timestamp, String body) {
        return new Content(VERSION, TEXT, messageId, sender, recipient, timestamp, body, null, null);
    }

    public static Content receipt(UUID messageId, UUID sender, UUID recipient, long timestamp, String kind, List<UUID> about) {
        return new Content(VERSION, RECEIPT, messageId, sender, recipient, timestamp, null, kind, List.copyOf(about));
    }
}
