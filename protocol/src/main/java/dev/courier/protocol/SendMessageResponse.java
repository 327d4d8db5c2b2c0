package dev.courier.protocol;

import java.util.UUID;

/// Answer to a send: every envelope is on disk. A retry with the same message ID gets the same answer.
public record SendMessageResponse(UUID recipientId, long serverTimestamp) {}
