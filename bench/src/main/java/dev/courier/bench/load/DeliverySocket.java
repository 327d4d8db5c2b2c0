package dev.courier.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.courier.protocol.WireJson;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/// One device's `/v1/websocket` (docs/API.md §8), driven by Jetty's selectors: no thread waits
/// on it. Each envelope is handed to the [Handler] and, when the handler says so, acknowledged
/// at once with `{"type":"ack","guid":…}`, as a device that stored it would.
///
/// Jetty calls `onWebSocket*` for one socket one at a time; `ack` and `ping` may come from other
/// threads, which Jetty's frame flusher allows.
public final class DeliverySocket implements Session.Listener.AutoDemanding {
    private static final ObjectMapper JSON = WireJson.newMapper();
    private static final ByteBuffer PING = ByteBuffer.allocate(0);

    private final BenchDevice device;
    private final Handler handler;
    private final CompletableFuture<Void> queueEmpty = new CompletableFuture<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private volatile Session session;
    private volatile long queueEmptyNanos;
    private volatile long openedNanos;

    public DeliverySocket(BenchDevice device, Handler handler) {
        this.device = device;
        this.handler = handler;
    }

    public BenchDevice device() {
        return device;
    }

    /// Completes at the `queue_empty` frame: the backlog has been sent.
    public CompletableFuture<Void> queueEmpty() {
        return queueEmpty;
    }

    /// Completes with the close code when the socket ends (-1 on an error without one).
    public CompletableFuture<Integer> closed() {
        return closed;
    }

    /// When the `queue_empty` frame arrived (`System.nanoTime()`), or 0 before it.
    public long queueEmptyNanos() {
        return queueEmptyNanos;
    }

    /// When the upgrade completed and the socket opened (`System.nanoTime()`), or 0 before. Frames
    /// can arrive before the connect future's callbacks run, so this, not the future, times the
    /// upgrade.
    public long openedNanos() {
        return openedNanos;
    }

    public boolean isOpen() {
        Session s = session;
        return s != null && s.isOpen();
    }

    @Override
    public void onWebSocketOpen(Session session) {
        openedNanos = System.nanoTime();
        this.session = session;
    }

    @Override
    public void onWebSocketText(String text) {
        long received = System.nanoTime();
        JsonNode frame;
        try {
            frame = JSON.readTree(text);
        } catch (Exception e) {
            handler.onProblem(this, "unreadable frame: " + e.getMessage());
            return;
        }
        switch (frame.path("type").asText()) {
            case "envelope" -> {
                JsonNode envelope = frame.path("envelope");
                String guid = envelope.path("guid").asText();
                byte[] content;
                try {
                    content = envelope.path("content").binaryValue();
                } catch (Exception e) {
                    content = null;
                }
                if (handler.onEnvelope(this, guid, content, received)) ack(guid);
            }
            case "queue_empty" -> {
                queueEmptyNanos = received;
                queueEmpty.complete(null);
                handler.onQueueEmpty(this);
            }
            default -> handler.onProblem(this, "server frame " + text);
        }
    }

    /// Acknowledges envelope `guid`: the server deletes it.
    public void ack(String guid) {
        Session s = session;
        if (s != null) s.sendText("{\"type\":\"ack\",\"guid\":\"" + guid + "\"}", Callback.NOOP);
    }

    /// A WebSocket ping, which keeps the server's idle timeout from closing the socket.
    public void ping() {
        Session s = session;
        if (s != null && s.isOpen()) s.sendPing(PING.duplicate(), Callback.NOOP);
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        closed.complete(statusCode);
        queueEmpty.completeExceptionally(new LoadException("socket closed (" + statusCode + " " + reason + ")"));
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        closed.complete(-1);
        queueEmpty.completeExceptionally(cause);
    }

    public void close() {
        Session s = session;
        if (s != null) s.close();
    }

    /// What the scenario does with the frames of its sockets.
    public interface Handler {
        /// Envelope `guid` arrived at `receivedNanos` (`System.nanoTime()`); `content` is null
        /// if it had none. Returns whether the socket should acknowledge it now.
        boolean onEnvelope(DeliverySocket socket, String guid, byte[] content, long receivedNanos);

        default void onQueueEmpty(DeliverySocket socket) {}

        default void onProblem(DeliverySocket socket, String what) {}

        /// Acknowledges everything and looks at nothing: for idle sockets.
        Handler ACK_ALL = (socket, guid, content, at) -> true;
    }
}
