package dev.courier.bench.load;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.courier.protocol.WireJson;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/// One device's `/v1/websocket` (docs/API.md §8), driven by Jetty's selectors: no thread waits
/// on it. Each envelope is handed to the [Handler] and, when the handler says so, acknowledged,
/// as a device that stored it would. Acks are batched as a client that stores a burst of
/// envelopes in one transaction would: one `acks` frame for up to [#ACK_BATCH] envelopes, sent
/// when that many are waiting or [#ACK_DELAY_MICROS] after the first of them.
///
/// The socket also carries its device's sends (`send` frames), each answered by a `send_result`
/// frame with the same `id`.
///
/// Jetty calls `onWebSocket*` for one socket one at a time; `ack`, `send` and `ping` may come from
/// other threads, which Jetty's frame flusher allows.
public final class DeliverySocket implements Session.Listener.AutoDemanding {
    private static final ObjectMapper JSON = WireJson.newMapper();
    private static final ByteBuffer PING = ByteBuffer.allocate(0);
    static final int ACK_BATCH = 64;
    static final long ACK_DELAY_MICROS = 1000;
    /// Base64 characters of `content` decoded on arrival: 24 give 18 bytes, past the 16-byte stamp.
    private static final int HEAD_CHARS = 24;

    private final BenchDevice device;
    private final Handler handler;
    private final AckFlusher flusher;
    private final List<String> unacked = new ArrayList<>();
    private final ConcurrentHashMap<Long, CompletableFuture<Integer>> awaitingAnswer = new ConcurrentHashMap<>();
    private final AtomicLong nextSendId = new AtomicLong();
    private final CompletableFuture<Void> queueEmpty = new CompletableFuture<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private volatile Session session;
    private volatile long queueEmptyNanos;
    private volatile long openedNanos;

    DeliverySocket(BenchDevice device, Handler handler, AckFlusher flusher) {
        this.device = device;
        this.handler = handler;
        this.flusher = flusher;
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

    /// Reads the few fields the generator needs with a streaming parser, not a tree: the frames
    /// are the server's own (docs/API.md §8), and of an envelope's `content` only the first
    /// [#HEAD_CHARS] base64 characters are decoded, enough for the payload's stamp.
    @Override
    public void onWebSocketText(String text) {
        long received = System.nanoTime();
        String type = null;
        String guid = null;
        String head = null;
        long id = -1;
        int status = -1;
        try (JsonParser p = JSON.getFactory().createParser(text)) {
            int depth = 0;
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) depth++;
                else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) depth--;
                else if (t == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken value = p.nextToken();
                    if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
                        depth++;
                        continue;
                    }
                    if (depth == 1) {
                        switch (name) {
                            case "type" -> type = p.getText();
                            case "id" -> id = p.getLongValue();
                            case "status" -> status = p.getIntValue();
                            default -> { }
                        }
                    } else if (depth == 2) {
                        switch (name) {
                            case "guid" -> guid = p.getText();
                            case "content" -> head = new String(p.getTextCharacters(), p.getTextOffset(),
                                    Math.min(HEAD_CHARS, p.getTextLength()));
                            default -> { }
                        }
                    }
                }
            }
        } catch (Exception e) {
            handler.onProblem(this, "unreadable frame: " + e.getMessage());
            return;
        }
        switch (type == null ? "" : type) {
            case "envelope" -> {
                byte[] content = null;
                if (head != null) {
                    try {
                        content = Base64.getDecoder().decode(head.substring(0, head.length() & ~3));
                    } catch (IllegalArgumentException e) {
                        content = null;
                    }
                }
                if (handler.onEnvelope(this, guid, content, received)) ack(guid);
            }
            case "send_result" -> {
                CompletableFuture<Integer> answer = awaitingAnswer.remove(id);
                if (answer != null) answer.complete(status);
                else handler.onProblem(this, "an answer to no send: " + text);
            }
            case "queue_empty" -> {
                queueEmptyNanos = received;
                queueEmpty.complete(null);
                handler.onQueueEmpty(this);
            }
            default -> handler.onProblem(this, "server frame " + text);
        }
    }

    /// Acknowledges envelope `guid`, batched with others (see above): the server deletes it.
    public void ack(String guid) {
        boolean first;
        boolean full;
        synchronized (unacked) {
            unacked.add(guid);
            first = unacked.size() == 1;
            full = unacked.size() >= ACK_BATCH;
        }
        if (full) flushAcks();
        else if (first) flusher.due(this);
    }

    /// Sends the acks waiting for their batch now.
    public void flushAcks() {
        List<String> batch;
        synchronized (unacked) {
            if (unacked.isEmpty()) return;
            batch = List.copyOf(unacked);
            unacked.clear();
        }
        Session s = session;
        if (s == null) return;
        StringBuilder frame = new StringBuilder(16 + 39 * batch.size()).append("{\"type\":\"acks\",\"guids\":[");
        for (int i = 0; i < batch.size(); i++) {
            if (i > 0) frame.append(',');
            frame.append('"').append(batch.get(i)).append('"');
        }
        s.sendText(frame.append("]}").toString(), Callback.NOOP);
    }

    /// Sends `message` (a `POST /v1/messages` body) as a `send` frame; completes with the answer's
    /// status, 200 when the server has it on disk.
    public CompletableFuture<Integer> send(String message) {
        Session s = session;
        if (s == null || !s.isOpen()) return CompletableFuture.failedFuture(new LoadException("the sender's socket is not open"));
        long id = nextSendId.incrementAndGet();
        CompletableFuture<Integer> answer = new CompletableFuture<>();
        awaitingAnswer.put(id, answer);
        s.sendText("{\"type\":\"send\",\"id\":" + id + ",\"message\":" + message + "}",
                Callback.from(() -> {}, failure -> {
                    awaitingAnswer.remove(id);
                    answer.completeExceptionally(failure);
                }));
        return answer;
    }

    /// A WebSocket ping, which keeps the server's idle timeout from closing the socket.
    public void ping() {
        Session s = session;
        if (s != null && s.isOpen()) s.sendPing(PING.duplicate(), Callback.NOOP);
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        failUnanswered(new LoadException("socket closed (" + statusCode + " " + reason + ")"));
        closed.complete(statusCode);
        queueEmpty.completeExceptionally(new LoadException("socket closed (" + statusCode + " " + reason + ")"));
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        failUnanswered(cause);
        closed.complete(-1);
        queueEmpty.completeExceptionally(cause);
    }

    private void failUnanswered(Throwable why) {
        for (Long id : awaitingAnswer.keySet()) {
            CompletableFuture<Integer> answer = awaitingAnswer.remove(id);
            if (answer != null) answer.completeExceptionally(why);
        }
    }

    public void close() {
        Session s = session;
        if (s != null) s.close();
    }

    /// What the scenario does with the frames of its sockets.
    public interface Handler {
        /// Envelope `guid` arrived at `receivedNanos` (`System.nanoTime()`); `content` is the
        /// first bytes of its content (at least the 16 of a payload's stamp), null if it had none. Returns whether the socket should acknowledge it now.
        boolean onEnvelope(DeliverySocket socket, String guid, byte[] content, long receivedNanos);

        default void onQueueEmpty(DeliverySocket socket) {}

        default void onProblem(DeliverySocket socket, String what) {}

        /// Acknowledges everything and looks at nothing: for idle sockets.
        Handler ACK_ALL = (socket, guid, content, at) -> true;
    }
}
