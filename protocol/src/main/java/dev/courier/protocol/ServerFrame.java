package dev.courier.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/// A text frame the server sends on `/v1/websocket`, tagged by its `type` field.
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = ServerFrame.Deliver.class, name = "envelope"),
        @JsonSubTypes.Type(value = ServerFrame.QueueEmpty.class, name = "queue_empty"),
        @JsonSubTypes.Type(value = ServerFrame.SendResult.class, name = "send_result"),
        @JsonSubTypes.Type(value = ServerFrame.Error.class, name = "error"),
})
public sealed interface ServerFrame {
    /// An envelope for this device. Acknowledge it with [ClientFrame.Ack] or [ClientFrame.Acks].
    record Deliver(Envelope envelope) implements ServerFrame {}

    /// The backlog that was waiting at connect time has been sent; what follows is live.
    record QueueEmpty() implements ServerFrame {}

    /// The answer to the [ClientFrame.Send] with the same `id`: `status` is the HTTP status that
    /// `POST /v1/messages` would have answered, with `result` on `200` and `error` otherwise.
    /// Answers may arrive in another order than their sends.
    record SendResult(long id, int status, SendMessageResponse result, SendFailure error) implements ServerFrame {}

    /// The server could not act on a frame the client sent. The connection stays open.
    record Error(String code, String message) implements ServerFrame {}
}
