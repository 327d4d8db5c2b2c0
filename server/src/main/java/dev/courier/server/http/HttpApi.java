package dev.courier.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.courier.protocol.ErrorResponse;
import dev.courier.protocol.MismatchedDevicesResponse;
import dev.courier.protocol.StaleDevicesResponse;
import dev.courier.server.RateLimitedException;
import dev.courier.server.ServiceException;
import dev.courier.server.accounts.AccountService;
import dev.courier.server.config.ServerConfig;
import dev.courier.server.delivery.Presence;
import dev.courier.server.keys.KeyService;
import dev.courier.server.messages.MessageService;
import dev.courier.server.messages.MessageStore;
import dev.courier.server.messages.MismatchedDevicesException;
import dev.courier.server.messages.StaleDevicesException;
import dev.courier.server.push.SubscriptionService;
import dev.courier.server.ratelimit.RateLimiter;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.config.JavalinConfig;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/// The HTTP and WebSocket front: Javalin on Jetty, handlers on virtual threads, every error as
/// JSON `{code, message}`.
public final class HttpApi implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);

    /// What the routes need from the rest of the server.
    public record Services(AccountService accounts, KeyService keys, MessageService messages, MessageStore messageStore,
                           SubscriptionService subscriptions, String vapidPublicKey, Presence presence,
                           RateLimiter limiter, PrometheusMeterRegistry metrics, BooleanSupplier storageHealthy,
                           ExecutorService executor) {}

    static final ErrorResponse INTERNAL_ERROR = new ErrorResponse("internal_error", "the server failed; the request was not completed");

    private final Javalin app;

    public HttpApi(ServerConfig config, ObjectMapper mapper, Services s) {
        var json = new HttpJson(mapper, config.http().maxBodySize().bytes());
        var auth = new Authenticator(s.accounts());
        var limits = config.rateLimits();
        var accountRoutes = new AccountRoutes(s.accounts(), auth, json, s.limiter(), limits);
        var keyRoutes = new KeyRoutes(s.keys(), s.accounts(), auth, json, s.limiter(), limits);
        var messageRoutes = new MessageRoutes(s.messages(), s.presence(), auth, json, s.limiter(), limits);
        var pushRoutes = new PushRoutes(s.subscriptions(), s.vapidPublicKey(), auth, json);
        var adminRoutes = new AdminRoutes(s.accounts(), config.adminToken(), json);
        var opsRoutes = new OpsRoutes(s.metrics(), s.presence(), s.storageHealthy(), json);
        var delivery = new DeliveryEndpoint(s.accounts(), s.messages(), s.messageStore(), s.presence(), mapper,
                s.executor(), config.webSocket(), new SocketSends(s.messages()::sendAsync, s.limiter(), limits.sendPerAccount()),
                s.metrics());
        var clientAddress = new ClientAddress(config.http().trustedProxies());
        Consumer<String> perIpLimit = ip -> s.limiter().acquire("ip:" + ip, limits.perIp());
        var upgrade = new DeliveryUpgrade(delivery, auth, clientAddress, perIpLimit, json, config.webSocket());

        this.app = Javalin.create(c -> {
            configureServer(c, config, clientAddress, json);
            // `/v1/websocket` is served in front of Javalin (see DeliveryUpgrade); Javalin's
            // `modifyServer` runs before it attaches its own handlers, which then come after it.
            c.jetty.modifyServer(upgrade::install);
            RoutesConfig routes = c.routes;
            routes.before(ctx -> {
                if (!ctx.path().equals("/health") && !ctx.path().equals("/metrics")) perIpLimit.accept(ctx.ip());
            });
            accountRoutes.register(routes);
            keyRoutes.register(routes);
            messageRoutes.register(routes);
            pushRoutes.register(routes);
            adminRoutes.register(routes);
            opsRoutes.register(routes);
            registerErrorHandlers(routes, json);
        });
    }

    private static void configureServer(JavalinConfig c, ServerConfig config, ClientAddress clientAddress, HttpJson json) {
        c.startup.showJavalinBanner = false;
        c.startup.showOldJavalinVersionWarning = false;
        // Selectors and acceptors on a few platform threads; every request and socket handler on
        // its own virtual thread. (Javalin's `useVirtualThreads` would put the selectors on
        // virtual threads too.)
        var threads = new QueuedThreadPool(16, 4);
        threads.setName("jetty");
        threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        c.jetty.threadPool = threads;
        c.http.maxRequestSize = config.http().maxBodySize().bytes();
        c.http.generateEtags = false;
        c.contextResolver.ip = clientAddress::of;
        // No response compression: answers are small JSON and envelopes are ciphertext, which does
        // not compress. Javalin's per-response check for it (a scan of the response headers) was
        // about a tenth of the server's CPU under send load.
        c.http.compressionStrategy = CompressionStrategy.NONE;
        c.http.prefer405over404 = true;
        c.router.ignoreTrailingSlashes = true;
        c.jetty.modifyServer(server -> server.setStopTimeout(config.shutdownGrace().toMillis()));
        c.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler(json)));
        // Paths and statuses only: bodies, query strings and headers may carry content or credentials.
        c.requestLogger.http((ctx, ms) -> {
            if (log.isDebugEnabled()) {
                log.debug("{} {} -> {} in {} ms", ctx.method(), ctx.endpoint() == null ? "?" : ctx.endpoint().path,
                        ctx.statusCode(), String.format(Locale.ROOT, "%.1f", ms));
            }
        });
    }

    private static void registerErrorHandlers(RoutesConfig routes, HttpJson json) {
        routes.exception(MismatchedDevicesException.class, (e, ctx) ->
                json.write(ctx, 409, new MismatchedDevicesResponse(e.code(), e.getMessage(), e.missing(), e.extra())));
        routes.exception(StaleDevicesException.class, (e, ctx) ->
                json.write(ctx, 410, new StaleDevicesResponse(e.code(), e.getMessage(), e.stale())));
        routes.exception(RateLimitedException.class, (e, ctx) -> {
            ctx.header("Retry-After", Long.toString(e.retryAfterSeconds()));
            json.write(ctx, 429, new ErrorResponse(e.code(), e.getMessage()));
        });
        routes.exception(ServiceException.class, (e, ctx) -> {
            if (e.status() == 401) {
                // The admin API takes a bearer token; everything else takes device credentials.
                ctx.header("WWW-Authenticate", ctx.path().startsWith("/v1/admin/")
                        ? "Bearer realm=\"courier-admin\"" : Authenticator.CHALLENGE);
            }
            json.write(ctx, e.status(), new ErrorResponse(e.code(), e.getMessage()));
        });
        routes.exception(HttpResponseException.class, (e, ctx) -> json.write(ctx, e.getStatus(), HttpErrors.of(e.getStatus())));
        routes.exception(Exception.class, (e, ctx) -> {
            // A bug or an infrastructure failure, never bad input. Log the type and where, not request data.
            log.error("unexpected failure handling {} {}", ctx.method(), ctx.endpoint() == null ? ctx.path() : ctx.endpoint().path, e);
            json.write(ctx, 500, INTERNAL_ERROR);
        });
        for (int status : new int[] {404, 405}) {
            routes.error(status, ctx -> {
                if (!isJson(ctx)) json.write(ctx, status, HttpErrors.of(status));
            });
        }
    }

    private static boolean isJson(Context ctx) {
        String type = ctx.res().getContentType();
        return type != null && type.startsWith("application/json") && ctx.result() != null && !ctx.result().isEmpty();
    }

    public HttpApi start(String host, int port) {
        app.start(host, port);
        return this;
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}
