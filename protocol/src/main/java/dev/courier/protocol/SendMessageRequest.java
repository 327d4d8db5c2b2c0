package dev.courier.protocol;

import java.util.List;
import java.util.UUID;

/// `POST /v1/messages`. `recipient` is a username or an account UUID. `messageId` is chosen by the
/// sender and makes the send idempotent. `timestamp` is the sender's clock, in epoch milliseconds.
public record SendMessageRequest(String recipient, UUID messageId, long timestamp, List<OutgoingMessage> messages) {}
