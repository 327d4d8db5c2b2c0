package dev.courier.server.messages;

import java.util.UUID;

/// The record of an accepted send, kept so that a retry gets the same answer.
public record SentMessage(UUID recipient, long serverTimestamp) {}
