package dev.courier.server.push;

import dev.courier.protocol.PushSubscription;
import dev.courier.protocol.webpush.P256;
import dev.courier.server.ServiceException;
import dev.courier.server.accounts.DeviceAddress;
import java.time.Clock;
import java.util.Optional;

/// A device's own push subscription: registering, replacing, reading and removing it. The device
/// always comes from the caller's credentials, so no device can touch another's subscription.
public final class SubscriptionService {
    private static final int AUTH_SECRET_BYTES = 16;
    private final SubscriptionStore store;
    private final EndpointPolicy policy;
    private final Clock clock;

    public SubscriptionService(SubscriptionStore store, EndpointPolicy policy, Clock clock) {
        this.store = store;
        this.policy = policy;
        this.clock = clock;
    }

    public void subscribe(DeviceAddress device, PushSubscription request) {
        if (request == null) throw ServiceException.badRequest("invalid_push_subscription", "a subscription is required");
        String endpoint = policy.check(request.endpoint()).toString();
        if (request.keys() == null) {
            throw ServiceException.badRequest("invalid_push_subscription", "keys.p256dh and keys.auth are required");
        }
        byte[] p256dh = decode("keys.p256dh", request.keys().p256dh(), 100);
        try {
            P256.decodePoint(p256dh);
        } catch (IllegalArgumentException e) {
            throw ServiceException.badRequest("invalid_push_subscription",
                    "keys.p256dh must be an uncompressed P-256 public key (65 bytes)");
        }
        byte[] auth = decode("keys.auth", request.keys().auth(), 32);
        if (auth.length != AUTH_SECRET_BYTES) {
            throw ServiceException.badRequest("invalid_push_subscription", "keys.auth must be 16 bytes");
        }
        boolean stored = store.put(new Subscription(device, Subscription.WEB_PUSH, endpoint, p256dh, auth, clock.millis()));
        if (!stored) throw ServiceException.notFound("unknown_device", "the device no longer exists");
    }

    public Optional<PushSubscription> current(DeviceAddress device) {
        return store.find(device).map(s -> new PushSubscription(s.endpoint(),
                new PushSubscription.Keys(P256.base64Url(s.p256dh()), P256.base64Url(s.auth()))));
    }

    public boolean unsubscribe(DeviceAddress device) {
        return store.remove(device);
    }

    private static byte[] decode(String field, String value, int maxChars) {
        if (value == null || value.isEmpty()) {
            throw ServiceException.badRequest("invalid_push_subscription", field + " is required");
        }
        if (value.length() > maxChars) throw ServiceException.badRequest("invalid_push_subscription", field + " is too long");
        try {
            // Browsers hand out base64url without padding; some libraries pad it. Both decode.
            return P256.fromBase64Url(value);
        } catch (IllegalArgumentException e) {
            throw ServiceException.badRequest("invalid_push_subscription", field + " must be base64url");
        }
    }
}
