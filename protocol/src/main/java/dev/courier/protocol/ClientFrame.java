package dev.courier.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.UUID;

/// A text frame a device sends on `/v1/websocket`, tagged by its `type` field.
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = ClientFrame.Ack.class, name = "ack"),
})
public sealed interface ClientFrame {
    /// The device has stored the envelope `guid` durably; the server may delete it.
    record Ack(UUID guid) implements ClientFrame {}
}
