package dev.courier.protocol;

/// `GET /v1/keys/count`: how many one-time keys the calling device has left on the server.
public record KeyCountResponse(int preKeys, int pqPreKeys) {}
