package dev.courier.protocol;

/// A one-time EC pre-key: libsignal's serialized `ECPublicKey` (33 bytes, type byte `0x05`).
public record PreKey(int keyId, byte[] publicKey) {}
