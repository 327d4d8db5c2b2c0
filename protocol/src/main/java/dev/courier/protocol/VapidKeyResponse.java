package dev.courier.protocol;

/// `GET /v1/push/vapid-key`: the server's VAPID public key (RFC 8292), a base64url P-256 point.
/// UnifiedPush distributors and browsers ask for it as the `applicationServerKey`, so that only
/// this server can push to the endpoint they hand out.
public record VapidKeyResponse(String publicKey) {}
