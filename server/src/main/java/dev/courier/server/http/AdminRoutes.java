package dev.courier.server.http;

import dev.courier.protocol.CreateRegistrationTokenRequest;
import dev.courier.server.ServiceException;
import dev.courier.server.accounts.AccountService;
import dev.courier.server.config.Secret;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Optional;

/// `/v1/admin`: operator actions, authorised by `admin.token` as a bearer token. Without a
/// configured token the admin API is off and answers `403`.
record AdminRoutes(AccountService accounts, Optional<Secret> adminToken, HttpJson json) {

    void register(RoutesConfig routes) {
        routes.post("/v1/admin/registration-tokens", ctx -> {
            requireAdmin(ctx);
            json.write(ctx, 200, accounts.createRegistrationToken(json.read(ctx, CreateRegistrationTokenRequest.class)));
        });
    }

    private void requireAdmin(Context ctx) {
        if (adminToken.isEmpty()) {
            throw ServiceException.forbidden("admin_disabled", "the admin API is off; set admin.token to enable it");
        }
        String header = ctx.header("Authorization");
        String presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
        if (!adminToken.get().matches(presented)) {
            throw new ServiceException(401, "unauthorized", "a valid admin token is required: Authorization: Bearer <admin.token>");
        }
    }
}
