package dev.courier.server.http;

import dev.courier.protocol.ErrorResponse;
import dev.courier.server.RateLimitedException;
import dev.courier.server.ServiceException;
import dev.courier.server.accounts.DeviceAddress;
import dev.courier.server.config.ServerConfig;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.common.JettyWebSocketFrameHandlerFactory;
import org.eclipse.jetty.websocket.core.Configuration;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.WebSocketComponents;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.core.server.WebSocketServerComponents;
import org.eclipse.jetty.websocket.core.server.WebSocketUpgradeHandler;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/// The upgrade of `GET /v1/websocket`, served by a Jetty handler in front of Javalin rather than
/// by Javalin's `ws(...)`, so that an open socket keeps nothing of its upgrade request.
///
/// Why: a socket opened through Javalin keeps its upgrade's `JavalinWsServletContext` for its
/// whole life, and through it the servlet request and response, Jetty's `HttpConnection`,
/// `HttpParser` and `HttpChannelState` and the request headers. Jetty's own Jetty-API container
/// would keep them too: its `CompletedUpgradeResponse` holds a live view of the response headers,
/// which reaches the same exchange. So the Jetty-API frame handler is built here without an
/// upgrade request or response, and a socket holds its connection, its sessions and a
/// [DeliverySocket].
///
/// The upgrade request is checked as Javalin checked it: the per-IP rate limit first (`429` with
/// `Retry-After`), then the device credentials (`401` with `WWW-Authenticate`), each refused with
/// a JSON `{code, message}` answer and no socket.
final class DeliveryUpgrade {
    private static final Logger log = LoggerFactory.getLogger(DeliveryUpgrade.class);
    static final ErrorResponse INVALID_UPGRADE =
            new ErrorResponse("invalid_upgrade", "not a WebSocket upgrade this server accepts (RFC 6455, version 13)");

    private final DeliveryEndpoint endpoint;
    private final Authenticator auth;
    private final ClientAddress clientAddress;
    private final Consumer<String> perIpLimit;
    private final HttpJson json;
    private final ServerConfig.WebSocket config;
    private JettyWebSocketFrameHandlerFactory frameHandlers;

    /// `perIpLimit` takes a client address and throws [RateLimitedException] when it is over its rate.
    DeliveryUpgrade(DeliveryEndpoint endpoint, Authenticator auth, ClientAddress clientAddress,
                    Consumer<String> perIpLimit, HttpJson json, ServerConfig.WebSocket config) {
        this.endpoint = endpoint;
        this.auth = auth;
        this.clientAddress = clientAddress;
        this.perIpLimit = perIpLimit;
        this.json = json;
        this.config = config;
    }

    /// Puts the upgrade handler first in `server`'s chain; every other request passes through it
    /// to the handlers after it. Call before the server starts.
    void install(Server server) {
        WebSocketComponents components = WebSocketServerComponents.ensureWebSocketComponents(server);
        // Compressing ciphertext gains nothing and costs memory per connection (and compression
        // side channels are best avoided).
        components.getExtensionRegistry().unregister("permessage-deflate");
        // The container gives the Jetty-API sessions their executor, and closes open ones when
        // the server stops.
        frameHandlers = new JettyWebSocketFrameHandlerFactory(ServerWebSocketContainer.ensure(server), components);
        var upgrade = new WebSocketUpgradeHandler(components);
        upgrade.addMapping(DeliveryEndpoint.PATH, this::negotiate);
        Configuration limits = upgrade.getConfiguration();
        limits.setIdleTimeout(config.idleTimeout());
        limits.setMaxFrameSize(config.maxFrameSize().bytes());
        limits.setMaxTextMessageSize(config.maxFrameSize().bytes());
        limits.setMaxBinaryMessageSize(config.maxFrameSize().bytes());
        upgrade.setHandler(new NotAnUpgrade(server.getHandler()));
        server.setHandler(upgrade);
    }

    /// Runs on the request's own (virtual) thread, so it may block on the rate limiter and the
    /// credential lookup. Returns `null` after answering a refused upgrade itself.
    private FrameHandler negotiate(ServerUpgradeRequest request, ServerUpgradeResponse response, Callback callback) {
        DeviceAddress device;
        try {
            perIpLimit.accept(clientAddress.of(Request.getRemoteAddr(request), request.getHeaders().get("X-Forwarded-For")));
            device = auth.authenticate(request.getHeaders().get(HttpHeader.AUTHORIZATION));
        } catch (RateLimitedException e) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, e.retryAfterSeconds());
            json.write(response, callback, e.status(), new ErrorResponse(e.code(), e.getMessage()));
            return null;
        } catch (ServiceException e) {
            if (e.status() == 401) response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, Authenticator.CHALLENGE);
            json.write(response, callback, e.status(), new ErrorResponse(e.code(), e.getMessage()));
            return null;
        } catch (RuntimeException e) {
            // A bug or an infrastructure failure (the account store), never bad input.
            log.error("unexpected failure handling the upgrade of {}", DeliveryEndpoint.PATH, e);
            json.write(response, callback, 500, HttpApi.INTERNAL_ERROR);
            return null;
        }
        return frameHandlers.newJettyFrameHandler(endpoint.socketFor(device));
    }

    /// What reaches `/v1/websocket` without being an upgrade the handler in front accepted (no
    /// `Upgrade` header, or a WebSocket version other than 13) is answered here, before Javalin,
    /// which would answer an upgrade-looking request for a path it has no socket for with a bare
    /// `404`. RFC 6455 §4.4 asks for `426` naming the versions the server speaks.
    private final class NotAnUpgrade extends Handler.Wrapper {
        NotAnUpgrade(Handler next) {
            super(next);
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            if (!DeliveryEndpoint.PATH.equals(Request.getPathInContext(request))) return super.handle(request, response, callback);
            if (HttpMethod.GET.is(request.getMethod())) {
                response.getHeaders().put(HttpHeader.SEC_WEBSOCKET_VERSION, "13");
                json.write(response, callback, HttpStatus.UPGRADE_REQUIRED_426, INVALID_UPGRADE);
            } else {
                json.write(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, HttpErrors.of(HttpStatus.METHOD_NOT_ALLOWED_405));
            }
            return true;
        }
    }
}
