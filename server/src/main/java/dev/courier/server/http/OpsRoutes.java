package dev.courier.server.http;

import dev.courier.server.delivery.Presence;
import io.javalin.config.RoutesConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.function.BooleanSupplier;

/// `/health` and `/metrics`, deliberately public: load balancers and Prometheus call them
/// without credentials, and they reveal no account or message data.
record OpsRoutes(PrometheusMeterRegistry metrics, Presence presence, BooleanSupplier storageHealthy,
                 HttpJson json) {

    void register(RoutesConfig routes) {
        routes.get("/health", ctx -> {
            boolean ok = storageHealthy.getAsBoolean();
            json.write(ctx, ok ? 200 : 503, Map.of("status", ok ? "ok" : "storage_unavailable",
                    "connections", presence.localCount()));
        });
        routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
    }
}
