package dev.courier.server.push;

import dev.courier.server.accounts.DeviceAddress;

/// Where and how to wake one device.
///
/// `kind` names the provider that delivers to it; today that is always [#WEB_PUSH] (RFC 8030 with
/// RFC 8291 encryption, which UnifiedPush endpoints speak too). An FCM or APNs provider would add
/// its own kind and read `endpoint` as its device token, with no change to storage or dispatch.
public record Subscription(DeviceAddress device, String kind, String endpoint, byte[] p256dh, byte[] auth,
                           long updatedAt) {
    public static final String WEB_PUSH = "webpush";
}
