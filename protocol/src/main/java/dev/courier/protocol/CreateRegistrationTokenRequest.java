package dev.courier.protocol;

/// `POST /v1/admin/registration-tokens`: `uses` accounts may register with the token (1 for a
/// single-use token); `validForSeconds` bounds its life (absent: no expiry).
public record CreateRegistrationTokenRequest(int uses, Long validForSeconds) {}
