package dev.courier.server.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.courier.protocol.ClientFrame;
import dev.courier.protocol.ServerFrame;
import dev.courier.server.accounts.AccountService;
import dev.courier.server.accounts.DeviceAddress;
import dev.courier.server.config.ServerConfig;
import dev.courier.server.delivery.AckBatcher;
import dev.courier.server.delivery.DeliverySession;
import dev.courier.server.delivery.Outbound;
import dev.courier.server.delivery.Presence;
import dev.courier.server.messages.MessageService;
import dev.courier.server.messages.MessageStore;
import io.javalin.config.RoutesConfig;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/// `GET /v1/websocket`: the authenticated delivery connection of one device.
///
/// Authentication happens on the HTTP upgrade request (`wsBeforeUpgrade`), so an unauthenticated
/// client gets a plain `401` and never a socket. Each socket gets a [DeliverySession]; the newest
/// socket of a device replaces an older one, which is closed with code 4000.
final class DeliveryEndpoint {
    static final String PATH = "/v1/websocket";
    static final String CONNECTIONS = "courier.websocket.connections";
    /// Bytes sent but not yet acknowledged on one socket, beside the count window: a bound on
    /// what a slow reader can make the server buffer (a handful of 256 KiB ciphertexts).
    private static final long MAX_INFLIGHT_BYTES = 4L * 1024 * 1024;
    private static final Logger log = LoggerFactory.getLogger(DeliveryEndpoint.class);

    private final Authenticator auth;
    private final AccountService accounts;
    private final MessageService messages;
    private final MessageStore store;
    private final Presence presence;
    private final ObjectMapper mapper;
    private final ExecutorService executor;
    private final ServerConfig.WebSocket config;
    private final SocketSends sends;
    private final ConcurrentHashMap<String, Socket> bySocket = new ConcurrentHashMap<>();

    /// What the endpoint keeps per open socket.
    private record Socket(DeliverySession session, AckBatcher acks, AtomicInteger sendsInFlight) {}

    DeliveryEndpoint(Authenticator auth, AccountService accounts, MessageService messages, MessageStore store,
                     Presence presence, ObjectMapper mapper, ExecutorService executor, ServerConfig.WebSocket config,
                     SocketSends sends, MeterRegistry metrics) {
        this.auth = auth;
        this.accounts = accounts;
        this.messages = messages;
        this.store = store;
        this.presence = presence;
        this.mapper = mapper;
        this.executor = executor;
        this.config = config;
        this.sends = sends;
        Gauge.builder(CONNECTIONS, bySocket, ConcurrentHashMap::size).description("open delivery WebSockets").register(metrics);
    }

    void register(RoutesConfig routes) {
        routes.wsBeforeUpgrade(PATH, auth::require);
        routes.ws(PATH, this::configure);
    }

    private void configure(WsConfig ws) {
        ws.onConnect(ctx -> {
            // The upgrade request was authenticated already (a failure there is a plain 401), but
            // Javalin does not carry request attributes into the socket, so resolve it again.
            DeviceAddress device = auth.authenticate(ctx.header("Authorization"));
            var session = new DeliverySession(device, new JettyOutbound(ctx.session), store, mapper, executor,
                    config.deliveryWindow(), MAX_INFLIGHT_BYTES);
            var acks = new AckBatcher(guids -> messages.acknowledgeQuietly(device, guids), executor);
            bySocket.put(ctx.sessionId(), new Socket(session, acks, new AtomicInteger()));
            presence.attach(session).ifPresent(old -> old.close(DeliverySession.CLOSE_REPLACED, "replaced by a newer connection"));
            executor.execute(() -> accounts.touch(device));
            session.signal();
        });
        ws.onMessage(ctx -> onText(ctx, ctx.message()));
        ws.onBinaryMessage(ctx -> sendError(ctx, "unsupported_frame", "send JSON text frames"));
        ws.onClose(ctx -> {
            Socket socket = bySocket.remove(ctx.sessionId());
            if (socket != null) {
                socket.session().closed();
                presence.detach(socket.session());
            }
        });
        ws.onError(ctx -> log.debug("delivery socket error", ctx.error()));
    }

    private void onText(WsContext ctx, String text) {
        Socket socket = bySocket.get(ctx.sessionId());
        if (socket == null) return;
        ClientFrame frame;
        try {
            frame = mapper.readValue(text, ClientFrame.class);
        } catch (JacksonException e) {
            sendError(ctx, "invalid_frame", "expected an ack, acks or send frame (docs/API.md §8)");
            return;
        }
        DeliverySession session = socket.session();
        switch (frame) {
            case ClientFrame.Ack(var guid) when guid != null -> {
                // The device holds the envelope now: its window slot is free at once, not after the
                // delete's fsync, or a backlog would drain at one window per commit. Until the delete
                // commits, the session's cursor keeps this connection from sending it again; a new
                // connection may, which at-least-once delivery allows.
                session.acknowledged(guid);
                socket.acks().add(guid);
            }
            case ClientFrame.Acks(var guids) when guids != null && !guids.isEmpty() && guids.size() <= config.deliveryWindow()
                    && !guids.contains(null) -> {
                guids.forEach(session::acknowledged);
                socket.acks().addAll(guids);
            }
            case ClientFrame.Acks a -> sendError(ctx, "invalid_frame",
                    "acks needs 1 to " + config.deliveryWindow() + " guids, none of them null");
            case ClientFrame.Send send when send.id() != null ->
                    sends.handle(session.device(), send, socket.sendsInFlight(), answer -> sendFrame(ctx, answer));
            case ClientFrame.Send send -> sendError(ctx, "invalid_frame", "a send needs an id to match its answer");
            case ClientFrame.Ack a -> sendError(ctx, "invalid_frame", "an ack needs a guid");
        }
    }

    private void sendError(WsContext ctx, String code, String message) {
        sendFrame(ctx, new ServerFrame.Error(code, message));
    }

    private void sendFrame(WsContext ctx, ServerFrame frame) {
        try {
            ctx.session.sendText(mapper.writerFor(ServerFrame.class).writeValueAsString(frame), Callback.NOOP);
        } catch (JacksonException e) {
            throw new IllegalStateException("server frames always serialize", e);
        }
    }

    private record JettyOutbound(Session session) implements Outbound {
        @Override
        public void send(String text, Runnable onFailure) {
            session.sendText(text, Callback.from(() -> {}, failure -> onFailure.run()));
        }

        @Override
        public void close(int code, String reason) {
            if (session.isOpen()) session.close(code, reason, Callback.NOOP);
        }
    }
}
