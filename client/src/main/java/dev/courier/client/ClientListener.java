package dev.courier.client;

import java.util.UUID;

/// What a client reports as it works. Every method has a no-op default; implement what you need.
/// Calls come from the client's own threads and must return quickly.
public interface ClientListener {
    /// A new text message arrived and is stored (it is shown once, whatever the network repeats).
    default void onMessage(Message message) {}

    /// A sent message moved forward.
    default void onStatus(UUID messageId, MessageStatus status) {}

    /// A contact's identity key changed. Sending to them waits until [CourierClient#trust].
    default void onIdentityChanged(String user) {}

    /// An envelope could not be decrypted or parsed; it was dropped so the queue moves on.
    default void onUndecryptable(UUID sourceAccount, String reason) {}

    /// The delivery connection went up or down.
    default void onConnection(boolean connected) {}

    /// The backlog waiting at connect time has been received.
    default void onQueueEmpty() {}

    /// A step of a message's journey, with the time it happened (for `courier demo` and tracing).
    default void onTrace(UUID messageId, TraceStep step, long epochNanos) {}
}
