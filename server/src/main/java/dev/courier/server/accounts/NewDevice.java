package dev.courier.server.accounts;

import dev.courier.protocol.SignedPreKey;

/// A device about to be created: its attributes, its credential's hash and its long-lived keys.
public record NewDevice(String name, int registrationId, DeviceCredential credential, byte[] identityKey,
                        SignedPreKey signedPreKey, SignedPreKey pqLastResortPreKey) {}
