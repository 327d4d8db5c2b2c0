package dev.courier.server.http;

import dev.courier.server.accounts.DeviceAddress;
import dev.courier.server.delivery.DeliverySession;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Frame;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.core.OpCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/// The events of one delivery WebSocket, passed to [DeliveryEndpoint]. It holds only what the
/// socket needs for its life: the device its upgrade request authenticated, the Jetty session and,
/// once open, the [DeliverySession]. Nothing of the upgrade request itself.
///
/// Jetty calls these methods one at a time, `onWebSocketOpen` first: it demands the first frame
/// only after that returns, so the fields need no synchronisation.
///
/// It takes every frame as it comes ([#onWebSocketFrame]) rather than Jetty's whole text
/// messages: Jetty decodes each text message into a new builder of the socket's input buffer size
/// (4 KiB) and then copies it into a `String`, which at 10,000 sends a second was 29 % of all the
/// server allocated (async-profiler, 2026-12-02). Here a message's bytes go to the JSON parser as
/// they are. What Jetty's message layer did besides is done here too: fragments are joined, within
/// the same size limit, and a ping is answered with a pong.
///
/// An unexpected exception in any of them is logged and closes the socket with 1011
/// (`server error`), as Javalin's `wsException` mapping did before the endpoint left Javalin.
///
/// Public only because Jetty calls the listener methods through method handles of its own.
public final class DeliverySocket implements Session.Listener.AutoDemanding {
    private static final Logger log = LoggerFactory.getLogger(DeliverySocket.class);
    /// RFC 6455's "message too big", as Jetty closes for a single frame over the limit.
    private static final int CLOSE_TOO_LARGE = 1009;

    private final DeliveryEndpoint endpoint;
    private final DeviceAddress device;
    private Session socket;
    private DeliverySession session;
    /// Made on the first send, so that an idle socket holds none. Only a text message makes it,
    /// and Jetty passes frames one at a time.
    private AtomicInteger sendsInFlight;
    /// The fragments of a text message that has not yet had its last frame; null between
    /// messages, so that an idle socket holds none.
    private ByteArrayOutputStream fragments;
    /// The rest of the current message is dropped: it outgrew the limit and the socket is closing.
    private boolean dropping;

    DeliverySocket(DeliveryEndpoint endpoint, DeviceAddress device) {
        this.endpoint = endpoint;
        this.device = device;
    }

    @Override
    public void onWebSocketOpen(Session socket) {
        this.socket = socket;
        guarded(() -> {
            // Kept before it is attached, so that the close that follows a failure to attach
            // still counts it out.
            session = endpoint.newSession(device, socket);
            endpoint.attach(session);
        });
    }

    @Override
    public void onWebSocketFrame(Frame frame, Callback callback) {
        switch (frame.getOpCode()) {
            case OpCode.PING -> {
                // What Jetty's own handler does for a listener that takes no pings: the pong carries
                // the ping's payload, and the frame is done once the pong is written.
                socket.sendPong(frame.getPayload(), callback);
                return;
            }
            case OpCode.TEXT, OpCode.BINARY, OpCode.CONTINUATION -> dataFrame(frame);
            default -> {
                // A pong needs nothing; a close is answered by Jetty once the frame is done, and
                // reaches onWebSocketClose.
            }
        }
        callback.succeed();
    }

    private void dataFrame(Frame frame) {
        if (dropping) {
            dropping = !frame.isFin();
            return;
        }
        if (frame.getEffectiveOpCode() != OpCode.TEXT) {
            if (frame.isFin()) guarded(() -> endpoint.onBinary(socket));
            return;
        }
        ByteBuffer payload = frame.getPayload();
        if (fragments == null && frame.isFin()) {
            text(bytes(payload));
            return;
        }
        if (fragments == null) fragments = new ByteArrayOutputStream();
        long size = (long) fragments.size() + frame.getPayloadLength();
        if (size > endpoint.maxMessageBytes()) {
            fragments = null;
            dropping = !frame.isFin();
            // Jetty's own words for a message over the limit, which docs/API.md quotes.
            socket.close(CLOSE_TOO_LARGE, String.format("Text message too large: %,d > %,d", size, endpoint.maxMessageBytes()),
                    Callback.NOOP);
            return;
        }
        fragments.writeBytes(bytes(payload));
        if (frame.isFin()) {
            byte[] whole = fragments.toByteArray();
            fragments = null;
            text(whole);
        }
    }

    private void text(byte[] json) {
        if (session != null) guarded(() -> endpoint.onText(this, session, socket, json));
    }

    /// A copy: the payload is Jetty's network buffer, reused once the frame is done.
    private static byte[] bytes(ByteBuffer payload) {
        if (payload == null) return new byte[0];
        byte[] out = new byte[payload.remaining()];
        payload.slice().get(out);
        return out;
    }

    /// This socket's sends that await their answer.
    AtomicInteger sendsInFlight() {
        if (sendsInFlight == null) sendsInFlight = new AtomicInteger();
        return sendsInFlight;
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        if (session != null) guarded(() -> endpoint.closed(session));
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        log.debug("delivery socket error", cause);
    }

    private void guarded(Runnable handler) {
        try {
            handler.run();
        } catch (RuntimeException e) {
            log.error("unexpected failure on a delivery socket", e);
            if (socket.isOpen()) socket.close(1011, "server error", Callback.NOOP);
        }
    }
}
