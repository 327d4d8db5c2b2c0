package dev.courier.protocol;

/// A newly minted registration token, shown once. `expiresAt` is epoch milliseconds, or absent.
public record RegistrationTokenResponse(String token, int uses, Long expiresAt) {}
