package dev.courier.server.delivery;

/// The sending half of one device connection, independent of the WebSocket library.
public interface Outbound {
    /// Queues a text frame without blocking; `onFailure` runs if it cannot be written.
    void send(String text, Runnable onFailure);

    void close(int code, String reason);
}
