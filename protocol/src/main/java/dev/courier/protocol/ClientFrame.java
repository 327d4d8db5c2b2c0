package dev.courier.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.UUID;

/// A text frame a device sends on `/v1/websocket`, tagged by its `type` field.
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = ClientFrame.Ack.class, name = "ack"),
        @JsonSubTypes.Type(value = ClientFrame.Acks.class, name = "acks"),
        @JsonSubTypes.Type(value = ClientFrame.Send.class, name = "send"),
})
public sealed interface ClientFrame {
    /// The device has stored the envelope `guid` durably; the server may delete it.
    record Ack(UUID guid) implements ClientFrame {}

    /// [Ack] for several envelopes at once: one frame, and one deletion on the server.
    record Acks(List<UUID> guids) implements ClientFrame {}

    /// A send over the socket: `message` is exactly the body of `POST /v1/messages`, and the
    /// server answers with a [ServerFrame.SendResult] carrying the same `id`.
    record Send(Long id, SendMessageRequest message) implements ClientFrame {}
}
