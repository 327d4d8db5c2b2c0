package dev.courier.protocol;

import java.util.List;

/// `PUT /v1/keys`: replenish one-time keys and/or rotate the signed and last-resort keys.
/// Every field is optional; at least one must be present.
public record UploadKeysRequest(SignedPreKey signedPreKey, SignedPreKey pqLastResortPreKey,
                                List<PreKey> preKeys, List<SignedPreKey> pqPreKeys) {}
