package dev.courier.server.http;

import dev.courier.protocol.AddDeviceRequest;
import dev.courier.protocol.RegisterAccountRequest;
import dev.courier.server.accounts.AccountService;
import dev.courier.server.config.ServerConfig;
import dev.courier.server.ratelimit.RateLimiter;
import io.javalin.config.RoutesConfig;

/// `/v1/accounts` and `/v1/devices`.
record AccountRoutes(AccountService accounts, Authenticator auth, HttpJson json, RateLimiter limiter,
                     ServerConfig.RateLimits limits) {

    void register(RoutesConfig routes) {
        routes.post("/v1/accounts", ctx -> {
            limiter.acquire("register:" + ctx.ip(), limits.registerPerIp());
            json.write(ctx, 200, accounts.register(json.read(ctx, RegisterAccountRequest.class)));
        });
        routes.get("/v1/devices", ctx -> json.write(ctx, 200, accounts.devices(auth.require(ctx))));
        routes.post("/v1/devices", ctx -> {
            var caller = auth.require(ctx);
            json.write(ctx, 200, accounts.addDevice(caller, json.read(ctx, AddDeviceRequest.class)));
        });
        routes.delete("/v1/devices/{deviceId}", ctx -> {
            accounts.removeDevice(auth.require(ctx), PathParams.deviceId(ctx));
            ctx.status(204);
        });
    }
}
