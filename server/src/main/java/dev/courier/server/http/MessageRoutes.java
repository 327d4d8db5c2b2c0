package dev.courier.server.http;

import dev.courier.protocol.SendMessageRequest;
import dev.courier.server.config.ServerConfig;
import dev.courier.server.delivery.Presence;
import dev.courier.server.messages.MessageService;
import dev.courier.server.ratelimit.RateLimiter;
import io.javalin.config.RoutesConfig;

/// `/v1/messages`: send, and the REST fallback to list and acknowledge.
record MessageRoutes(MessageService messages, Presence presence, Authenticator auth, HttpJson json, RateLimiter limiter,
                     ServerConfig.RateLimits limits) {

    void register(RoutesConfig routes) {
        routes.post("/v1/messages", ctx -> {
            var sender = auth.require(ctx);
            limiter.acquire("send:" + sender.accountId(), limits.sendPerAccount());
            json.write(ctx, 200, messages.send(sender, json.read(ctx, SendMessageRequest.class)));
        });
        routes.get("/v1/messages", ctx -> json.write(ctx, 200, messages.pending(auth.require(ctx))));
        routes.delete("/v1/messages/{guid}", ctx -> {
            var device = auth.require(ctx);
            var guid = PathParams.guid(ctx);
            messages.acknowledge(device, guid);
            // The envelope may be in flight on the device's socket: free its window slot.
            presence.local(device).ifPresent(session -> session.acknowledged(guid));
            ctx.status(204);
        });
    }
}
