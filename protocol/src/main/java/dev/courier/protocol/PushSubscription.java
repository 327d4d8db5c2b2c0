package dev.courier.protocol;

/// `PUT /v1/push/subscription` and its `GET`: where to wake this device, in the shape of the W3C
/// `PushSubscription.toJSON()` that browsers and UnifiedPush distributors already produce.
///
/// `endpoint` is the push service URL (Web Push, RFC 8030, or a UnifiedPush endpoint); `keys` are
/// the device's RFC 8291 message-encryption keys, so the push service itself cannot read a push.
public record PushSubscription(String endpoint, Keys keys) {

    /// `p256dh`: the device's P-256 public key as a 65-byte uncompressed point; `auth`: its 16-byte
    /// authentication secret. Both base64url, without padding.
    public record Keys(String p256dh, String auth) {}
}
