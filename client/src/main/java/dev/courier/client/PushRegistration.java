package dev.courier.client;

import java.net.URI;

/// This device's push subscription as the server holds it: the endpoint the server posts
/// wake-ups to, and the device's RFC 8291 public key and auth secret (base64url).
public record PushRegistration(URI endpoint, String p256dh, String auth) {}
