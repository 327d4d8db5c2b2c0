package dev.courier.protocol;

/// `POST /v1/accounts`: creates an account and its first device (ID 1).
/// `registrationToken` is required when the server's registration policy is `token`.
public record RegisterAccountRequest(String username, int registrationId, String deviceName,
                                     String registrationToken, DeviceKeys keys) {}
