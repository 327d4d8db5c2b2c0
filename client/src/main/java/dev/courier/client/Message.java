package dev.courier.client;

import java.util.UUID;

/// One text message in a conversation, as the local history holds it.
///
/// @param id         the sender-chosen message ID (the same on both ends)
/// @param peer       the other party's account ID
/// @param peerName   the other party's username, when known
/// @param outgoing   true for messages this account sent
/// @param body       the text
/// @param timestamp  the sender's clock at sending, epoch milliseconds
/// @param status     for outgoing messages, how far it got; for incoming ones, DELIVERED or READ
public record Message(UUID id, UUID peer, String peerName, boolean outgoing, String body, long timestamp,
                      MessageStatus status) {}
