package dev.courier.protocol;

/// One ciphertext of a send, for one device of the recipient. `type` is one of [EnvelopeType]'s
/// client types; `content` is the libsignal-serialized ciphertext, at most 256 KiB.
public record OutgoingMessage(int deviceId, int registrationId, int type, byte[] content) {}
