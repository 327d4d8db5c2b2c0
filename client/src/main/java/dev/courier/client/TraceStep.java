package dev.courier.client;

/// The steps of a message's journey that a client can see, in order.
public enum TraceStep {
    /// The message request (ID, sender, recipient, time, body) was built.
    REQUEST_CREATED,
    /// It was encrypted with the Signal Protocol for every device of the recipient.
    ENCRYPTED,
    /// The send left the device: as a `send` frame on the delivery socket when it is connected,
    /// else as `POST /v1/messages` (the name is from when it always was a `POST`).
    POSTED,
    /// The server answered `200`: the envelopes are on its disk.
    STORED_BY_SERVER,
    /// An envelope for this message arrived on the recipient's WebSocket.
    RECEIVED,
    /// The recipient decrypted it.
    DECRYPTED,
    /// The recipient stored it locally and acknowledged it to the server.
    ACKNOWLEDGED
}
