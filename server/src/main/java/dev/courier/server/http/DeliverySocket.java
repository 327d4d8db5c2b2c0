package dev.courier.server.http;

import dev.courier.server.accounts.DeviceAddress;
import dev.courier.server.delivery.DeliverySession;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/// The events of one delivery WebSocket, passed to [DeliveryEndpoint]. It holds only what the
/// socket needs for its life: the device its upgrade request authenticated, the Jetty session and,
/// once open, the [DeliverySession]. Nothing of the upgrade request itself.
///
/// Jetty calls these methods one at a time, `onWebSocketOpen` first: it demands the first frame
/// only after that returns, so the fields need no synchronisation.
///
/// An unexpected exception in any of them is logged and closes the socket with 1011
/// (`server error`), as Javalin's `wsException` mapping did before the endpoint left Javalin.
///
/// Public only because Jetty calls the listener methods through method handles of its own.
public final class DeliverySocket implements Session.Listener.AutoDemanding {
    private static final Logger log = LoggerFactory.getLogger(DeliverySocket.class);

    private final DeliveryEndpoint endpoint;
    private final DeviceAddress device;
    private Session socket;
    private DeliverySession session;
    /// Made on the first send, so that an idle socket holds none. Only `onWebSocketText` makes
    /// it, and Jetty calls it one frame at a time.
    private AtomicInteger sendsInFlight;

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
    public void onWebSocketText(String text) {
        if (session != null) guarded(() -> endpoint.onText(this, session, socket, text));
    }

    /// This socket's sends that await their answer.
    AtomicInteger sendsInFlight() {
        if (sendsInFlight == null) sendsInFlight = new AtomicInteger();
        return sendsInFlight;
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
        guarded(() -> endpoint.onBinary(socket));
        callback.succeed();
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
