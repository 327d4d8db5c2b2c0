package dev.courier.server.http;

import dev.courier.protocol.DirectoryEntry;
import dev.courier.protocol.UploadKeysRequest;
import dev.courier.server.ServiceException;
import dev.courier.server.accounts.AccountService;
import dev.courier.server.config.ServerConfig;
import dev.courier.server.keys.KeyService;
import dev.courier.server.ratelimit.RateLimiter;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/// `/v1/keys`: publishing keys and fetching bundles; `/v1/directory`: resolving names.
record KeyRoutes(KeyService keys, AccountService accounts, Authenticator auth, HttpJson json,
                 RateLimiter limiter, ServerConfig.RateLimits limits) {

    void register(RoutesConfig routes) {
        routes.put("/v1/keys", ctx -> {
            keys.upload(auth.require(ctx), json.read(ctx, UploadKeysRequest.class));
            ctx.status(204);
        });
        routes.get("/v1/keys/count", ctx -> json.write(ctx, 200, keys.count(auth.require(ctx))));
        routes.get("/v1/keys/{recipient}", ctx -> bundles(ctx, null));
        routes.get("/v1/directory/{recipient}", ctx -> {
            var caller = auth.require(ctx);
            // Lookups reveal who exists, so they share the bundle-fetch budget's size.
            limiter.acquire("directory:" + caller.accountId(), limits.keyFetchPerAccount());
            var account = accounts.resolve(ctx.pathParam("recipient"))
                    .orElseThrow(() -> ServiceException.notFound("unknown_recipient", "no such account"));
            json.write(ctx, 200, new DirectoryEntry(account.id(), account.username()));
        });
        routes.get("/v1/keys/{recipient}/{deviceId}", ctx -> bundles(ctx, PathParams.deviceId(ctx)));
    }

    private void bundles(Context ctx, Integer deviceId) {
        var caller = auth.require(ctx);
        // Each fetch spends the recipient's one-time keys, so fetching is rate-limited per caller.
        limiter.acquire("keys:" + caller.accountId(), limits.keyFetchPerAccount());
        var account = accounts.resolve(ctx.pathParam("recipient"))
                .orElseThrow(() -> ServiceException.notFound("unknown_recipient", "no such account"));
        json.write(ctx, 200, keys.bundles(account, deviceId));
    }
}
