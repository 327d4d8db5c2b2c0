package dev.courier.protocol;

import java.util.List;

/// The keys a new device must publish when it is created. `preKeys` and `pqPreKeys` are optional
/// first batches of one-time keys.
public record DeviceKeys(byte[] identityKey, SignedPreKey signedPreKey, SignedPreKey pqLastResortPreKey,
                         List<PreKey> preKeys, List<SignedPreKey> pqPreKeys) {}
