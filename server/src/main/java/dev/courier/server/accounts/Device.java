package dev.courier.server.accounts;

import dev.courier.protocol.SignedPreKey;

/// A device and the long-lived keys it publishes. One-time keys live in the key directory.
public record Device(int deviceId, String name, int registrationId, byte[] identityKey, SignedPreKey signedPreKey,
                     SignedPreKey pqLastResortPreKey, long createdAt, long lastSeen) {}
