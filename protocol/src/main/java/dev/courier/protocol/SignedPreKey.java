package dev.courier.protocol;

/// A signed pre-key. For EC keys `publicKey` is 33 bytes (type `0x05`); for Kyber-1024 keys it is
/// 1,569 bytes (type `0x08`). `signature` is the 64-byte XEdDSA signature by the device's identity
/// key over `publicKey`. The server checks only type bytes and lengths, never the signature.
public record SignedPreKey(int keyId, byte[] publicKey, byte[] signature) {}
