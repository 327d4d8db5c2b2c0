package dev.courier.server.http;

import dev.courier.protocol.PushSubscription;
import dev.courier.protocol.VapidKeyResponse;
import dev.courier.server.ServiceException;
import dev.courier.server.push.SubscriptionService;
import io.javalin.config.RoutesConfig;

/// `/v1/push`: the calling device's push subscription, and the server's VAPID public key (null
/// when push is disabled).
record PushRoutes(SubscriptionService subscriptions, String vapidPublicKey, Authenticator auth, HttpJson json) {
    static final String SUBSCRIPTION = "/v1/push/subscription";

    void register(RoutesConfig routes) {
        // Public on purpose: a device needs the key before it can create its endpoint, and the
        // key is public by design.
        routes.get("/v1/push/vapid-key", ctx -> {
            if (vapidPublicKey == null) {
                throw ServiceException.notFound("push_disabled", "this server sends no push notifications (push.enabled=false)");
            }
            json.write(ctx, 200, new VapidKeyResponse(vapidPublicKey));
        });
        routes.put(SUBSCRIPTION, ctx -> {
            var device = auth.require(ctx);
            subscriptions.subscribe(device, json.read(ctx, PushSubscription.class));
            ctx.status(204);
        });
        routes.get(SUBSCRIPTION, ctx -> {
            var device = auth.require(ctx);
            var current = subscriptions.current(device)
                    .orElseThrow(() -> ServiceException.notFound("no_push_subscription", "this device has no push subscription"));
            json.write(ctx, 200, current);
        });
        routes.delete(SUBSCRIPTION, ctx -> {
            subscriptions.unsubscribe(auth.require(ctx));
            ctx.status(204);
        });
    }
}
