package dev.courier.server.http;

import dev.courier.server.ServiceException;
import io.javalin.http.Context;
import java.util.UUID;

/// Typed path parameters: malformed values are the client's mistake, so they get `400`.
final class PathParams {
    private PathParams() {}

    static int deviceId(Context ctx) {
        String raw = ctx.pathParam("deviceId");
        try {
            int id = Integer.parseInt(raw);
            if (id < 1) throw new NumberFormatException();
            return id;
        } catch (NumberFormatException e) {
            throw ServiceException.badRequest("invalid_device_id", "device IDs are positive whole numbers");
        }
    }

    static UUID guid(Context ctx) {
        try {
            return UUID.fromString(ctx.pathParam("guid"));
        } catch (IllegalArgumentException e) {
            throw ServiceException.badRequest("invalid_guid", "envelope GUIDs are UUIDs");
        }
    }
}
