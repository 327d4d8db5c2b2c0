package dev.courier.server.delivery;

/// The sending half of one device connection, independent of the WebSocket library.
public interface Outbound {
    /// Queues a text frame without blocking; `onFailure` runs if it cannot be written. The frame
    /// may wait in the connection's buffer until [#flush], so that a run of frames leaves in
    /// one write rather than one each.
    void send(String text, Runnable onFailure);

    /// Writes whatever [#send] left buffered, without blocking.
    void flush(Runnable onFailure);

    void close(int code, String reason);
}
