package dev.courier.server.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
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
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.common.WebSocketSession;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;

/// `GET /v1/websocket`: the authenticated delivery connection of one device.
///
/// Authentication happens on the HTTP upgrade request ([DeliveryUpgrade]), so an unauthenticated
/// client gets a plain `401` and never a socket. Each socket ([DeliverySocket]) gets a
/// [DeliverySession]; the newest socket of a device replaces an older one, which is closed with
/// code 4000.
final class DeliveryEndpoint {
    static final String PATH = "/v1/websocket";
    static final String CONNECTIONS = "courier.websocket.connections";
    /// Bytes sent but not yet acknowledged on one socket, beside the count window: a bound on
    /// what a slow reader can make the server buffer (a handful of 256 KiB ciphertexts).
    private static final long MAX_INFLIGHT_BYTES = 4L * 1024 * 1024;

    private final AccountService accounts;
    private final MessageService messages;
    private final MessageStore store;
    private final Presence presence;
    private final ObjectMapper mapper;
    /// Made once: a `send_result` goes out per socket send, a `deliver` per envelope.
    private final ObjectWriter frames;
    private final ExecutorService executor;
    private final ServerConfig.WebSocket config;
    private final SocketSends sends;
    /// The deletions every socket's acks ask for, one write per commit for all of them.
    private final AckBatcher acks;
    /// Open sockets, for the gauge: a count, not a collection, so that it costs a socket nothing.
    private final AtomicInteger open = new AtomicInteger();

    DeliveryEndpoint(AccountService accounts, MessageService messages, MessageStore store,
                     Presence presence, ObjectMapper mapper, ExecutorService executor, ServerConfig.WebSocket config,
                     SocketSends sends, MeterRegistry metrics) {
        this.accounts = accounts;
        this.messages = messages;
        this.store = store;
        this.presence = presence;
        this.mapper = mapper;
        this.frames = mapper.writerFor(ServerFrame.class);
        this.executor = executor;
        this.config = config;
        this.sends = sends;
        this.acks = new AckBatcher(messages::acknowledgeQuietly, executor);
        Gauge.builder(CONNECTIONS, open, AtomicInteger::get).description("open delivery WebSockets").register(metrics);
    }

    /// The listener for a new socket of `device`, whose upgrade request was authenticated.
    DeliverySocket socketFor(DeviceAddress device) {
        return new DeliverySocket(this, device);
    }

    /// The session of a socket that has just opened, counted as open from here on.
    DeliverySession newSession(DeviceAddress device, Session socket) {
        var session = new DeliverySession(device, new JettyOutbound(socket), store, frames, executor,
                config.deliveryWindow(), MAX_INFLIGHT_BYTES);
        open.incrementAndGet();
        return session;
    }

    /// Makes `session` the device's one live connection and starts delivering to it.
    void attach(DeliverySession session) {
        presence.attach(session).ifPresent(old -> old.close(DeliverySession.CLOSE_REPLACED, "replaced by a newer connection"));
        executor.execute(() -> accounts.touch(session.device()));
        session.signal();
    }

    /// The socket of `session` has closed, whichever side closed it.
    void closed(DeliverySession session) {
        open.decrementAndGet();
        session.closed();
        presence.detach(session);
    }

    void onBinary(Session socket) {
        sendError(socket, "unsupported_frame", "send JSON text frames");
    }

    /// The largest text message a socket takes, joined fragments included: the frame limit, as
    /// Jetty's own message layer applied it.
    long maxMessageBytes() {
        return config.maxFrameSize().bytes();
    }

    /// `json` is a whole text message, as UTF-8: Jackson reads the bytes themselves, and bytes that
    /// are not UTF-8 fail the parse like any other malformed frame.
    void onText(DeliverySocket owner, DeliverySession session, Session socket, byte[] json) {
        ClientFrame frame;
        try {
            frame = mapper.readValue(json, ClientFrame.class);
        } catch (IOException e) {
            // Reading a byte array fails only on what it reads: malformed JSON or UTF-8, or a
            // frame of no known type.
            sendError(socket, "invalid_frame", "expected an ack, acks or send frame (docs/API.md §8)");
            return;
        }
        switch (frame) {
            case ClientFrame.Ack(var guid) when guid != null -> {
                // The device holds the envelope now: its window slot is free at once, not after the
                // delete's fsync, or a backlog would drain at one window per commit. Until the delete
                // commits, the session's cursor keeps this connection from sending it again; a new
                // connection may, which at-least-once delivery allows.
                session.acknowledged(guid);
                acks.add(session.device(), guid);
            }
            case ClientFrame.Acks(var guids) when guids != null && !guids.isEmpty() && guids.size() <= config.deliveryWindow()
                    && !guids.contains(null) -> {
                guids.forEach(session::acknowledged);
                acks.addAll(session.device(), guids);
            }
            case ClientFrame.Acks a -> sendError(socket, "invalid_frame",
                    "acks needs 1 to " + config.deliveryWindow() + " guids, none of them null");
            case ClientFrame.Send send when send.id() != null ->
                    sends.handle(session.device(), send, owner.sendsInFlight(), answer -> sendFrame(socket, answer));
            case ClientFrame.Send send -> sendError(socket, "invalid_frame", "a send needs an id to match its answer");
            case ClientFrame.Ack a -> sendError(socket, "invalid_frame", "an ack needs a guid");
        }
    }

    private void sendError(Session socket, String code, String message) {
        sendFrame(socket, new ServerFrame.Error(code, message));
    }

    /// Written at once, not batched: an answer or an error is not followed by a pump's flush.
    private void sendFrame(Session socket, ServerFrame frame) {
        byte[] utf8;
        try {
            utf8 = frames.writeValueAsBytes(frame);
        } catch (JacksonException e) {
            throw new IllegalStateException("server frames always serialize", e);
        }
        JettyOutbound.core(socket).sendFrame(JettyOutbound.text(utf8), org.eclipse.jetty.util.Callback.NOOP, false);
    }

    /// Delivery frames go through Jetty's core session in batch mode: a backlog of envelopes is
    /// aggregated into the flusher's buffer and written in a few syscalls instead of one per
    /// frame. A `send_result` or an error ([#sendFrame]) is written unbatched, and [#flush], which
    /// the pump calls at the end of every pass, writes what the batch holds.
    private record JettyOutbound(Session session, CoreSession core) implements Outbound {
        JettyOutbound(Session session) {
            this(session, core(session));
        }

        static CoreSession core(Session session) {
            return ((WebSocketSession) session).getCoreSession();
        }

        static Frame text(byte[] utf8) {
            return new Frame(OpCode.TEXT).setPayload(ByteBuffer.wrap(utf8));
        }

        @Override
        public void send(byte[] utf8, Runnable onFailure) {
            core.sendFrame(text(utf8), failureOnly(onFailure), true);
        }

        @Override
        public void flush(Runnable onFailure) {
            core.flush(failureOnly(onFailure));
        }

        private static org.eclipse.jetty.util.Callback failureOnly(Runnable onFailure) {
            return org.eclipse.jetty.util.Callback.from(() -> {}, failure -> onFailure.run());
        }

        @Override
        public void close(int code, String reason) {
            if (session.isOpen()) session.close(code, reason, Callback.NOOP);
        }
    }
}
