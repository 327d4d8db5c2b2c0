package dev.courier.protocol;

import java.util.UUID;

/// Answer to a registration. `credential` is shown exactly once; the server keeps only a salted hash.
/// Authenticate later with HTTP Basic, user `<accountId>.<deviceId>`, password `credential`.
public record RegisterAccountResponse(UUID accountId, String username, int deviceId, String credential) {}
