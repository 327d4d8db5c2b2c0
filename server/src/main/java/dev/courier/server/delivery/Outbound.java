package dev.courier.server.delivery;

/// The sending half of one device connection, independent of the WebSocket library.
public interface Outbound {
    /// Queues a text frame of `utf8`, JSON as UTF-8, without blocking; `onFailure` runs if it
    /// cannot be written. The frame may wait in the connection's buffer until [#flush], so that a
    /// run of frames leaves in one write rather than one each. Bytes rather than a `String`: the
    /// frame is bytes on the wire, and a `String` would be encoded once more on the way.
    void send(byte[] utf8, Runnable onFailure);

    /// Writes whatever [#send] left buffered, without blocking.
    void flush(Runnable onFailure);

    void close(int code, String reason);
}
