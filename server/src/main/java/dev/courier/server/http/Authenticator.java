package dev.courier.server.http;

import dev.courier.server.ServiceException;
import dev.courier.server.accounts.AccountService;
import dev.courier.server.accounts.DeviceAddress;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

/// Turns an `Authorization: Basic base64(<accountId>.<deviceId>:<credential>)` header into the
/// authenticated device. Identity comes only from here, never from a request body.
final class Authenticator {
    static final String DEVICE_ATTRIBUTE = "courier.device";
    /// `WWW-Authenticate` of a `401` for device credentials.
    static final String CHALLENGE = "Basic realm=\"courier\"";
    private final AccountService accounts;

    Authenticator(AccountService accounts) {
        this.accounts = accounts;
    }

    DeviceAddress require(Context ctx) {
        DeviceAddress cached = ctx.attribute(DEVICE_ATTRIBUTE);
        if (cached != null) return cached;
        DeviceAddress device = authenticate(ctx.header("Authorization"));
        ctx.attribute(DEVICE_ATTRIBUTE, device);
        return device;
    }

    DeviceAddress authenticate(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            throw unauthorized("credentials are required: Authorization: Basic <accountId>.<deviceId>:<credential>");
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw unauthorized("the Authorization header is not valid base64");
        }
        int colon = decoded.indexOf(':');
        int dot = colon < 0 ? -1 : decoded.lastIndexOf('.', colon);
        if (colon < 0 || dot < 0) throw unauthorized("the user must be <accountId>.<deviceId>");
        DeviceAddress device;
        try {
            device = new DeviceAddress(UUID.fromString(decoded.substring(0, dot)), Integer.parseInt(decoded.substring(dot + 1, colon)));
        } catch (IllegalArgumentException e) {
            throw unauthorized("the user must be <accountId>.<deviceId>");
        }
        if (!accounts.authenticate(device, decoded.substring(colon + 1))) {
            throw unauthorized("unknown device or wrong credential");
        }
        return device;
    }

    private static ServiceException unauthorized(String message) {
        return new ServiceException(401, "unauthorized", message);
    }
}
