package dev.courier.client.internal.net;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.courier.client.CourierException;
import dev.courier.protocol.ClientFrame;
import dev.courier.protocol.SendMessageRequest;
import dev.courier.protocol.ServerFrame;
import dev.courier.protocol.WireJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/// The device's delivery WebSocket, kept open: it reconnects with exponential backoff and jitter
/// after any drop, and pings every [#PING_EVERY] so the server's idle timeout never fires on a
/// healthy connection. Frames are handed to `onFrame` one at a time, in order, except the answers
/// to this device's own sends over the socket ([#send]), which complete their sends instead.
///
/// Invariants: at most one socket is open at a time; `socket` is set only for the reconnect loop's
/// current connection (as it opens) and cleared by the loop when that connection ends. `sends` is
/// the [PendingSends] of the socket `socket` was last set to; both are set together under the
/// lock, which also orders every frame this side sends (`lastSend`).
public final class DeliveryConnection implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeliveryConnection.class);
    static final Duration PING_EVERY = Duration.ofSeconds(25);
    private static final Duration MIN_BACKOFF = Duration.ofMillis(250);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /// The server replaced or removed this device: reconnecting would be wrong.
    private static final int CLOSE_REPLACED = 4000;
    private static final int CLOSE_DEVICE_REMOVED = 4001;
    /// The largest `send` frame this client puts on the socket, in UTF-8 bytes. The server closes
    /// the socket with `1009` on a frame over `websocket.maxFrameSize` (64 KiB by default), which
    /// would fail every send in flight on it and cost a reconnect, so larger sends go by `POST`.
    /// The frame is measured exactly; the 1 KiB under the limit is room for how a server counts
    /// (frame header, its own bookkeeping), and costs only that a message this close to the
    /// limit goes by `POST` too.
    static final int MAX_SEND_FRAME_BYTES = 64 * 1024 - 1024;
    private static final ObjectMapper JSON = WireJson.newMapper();
    private static final ObjectWriter CLIENT_FRAMES = JSON.writerFor(ClientFrame.class);

    private final URI url;
    private final HttpClient http;
    private final Supplier<String> authorization;
    private final Consumer<ServerFrame> onFrame;
    private final Consumer<Boolean> onConnection;
    private volatile WebSocket socket;
    private PendingSends sends;
    /// The `id` of the last `send` frame; increasing, so unique on every connection.
    private long lastSendId;
    private CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null);
    private volatile boolean closed;
    private Thread loop;

    public DeliveryConnection(URI server, HttpClient http, Supplier<String> authorization, Consumer<ServerFrame> onFrame,
                              Consumer<Boolean> onConnection) {
        String base = server.toString().replaceFirst("^http", "ws");
        this.url = URI.create(base.endsWith("/") ? base + "v1/websocket" : base + "/v1/websocket");
        this.http = http;
        this.authorization = authorization;
        this.onFrame = onFrame;
        this.onConnection = onConnection;
    }

    /// Starts the connect-and-reconnect loop on a virtual thread.
    public synchronized void start() {
        if (loop == null) loop = Thread.ofVirtual().name("courier-delivery").start(this::run);
    }

    public boolean isConnected() {
        WebSocket s = socket;
        return s != null && !s.isInputClosed();
    }

    /// Sends the acknowledgement of `guid`. If the socket is down the ack is lost, and the server
    /// redelivers the envelope on the next connection; the client then drops it as a duplicate.
    public synchronized void ack(UUID guid) {
        WebSocket s = socket;
        if (s == null) return;
        enqueue(s, "{\"type\":\"ack\",\"guid\":\"" + guid + "\"}");
    }

    /// Sends `request` as a `send` frame (docs/API.md §8 "Sending over the socket"). The future
    /// completes with the server's `send_result` for it, or fails as soon as the socket ends
    /// before the answer came, or if the frame could not be written.
    ///
    /// @return empty if the socket is not connected, or the frame would be larger than
    ///         [#MAX_SEND_FRAME_BYTES]: send it by `POST` then
    public synchronized Optional<CompletableFuture<ServerFrame.SendResult>> send(SendMessageRequest request) {
        WebSocket s = socket;
        if (s == null || sends == null || s.isInputClosed() || s.isOutputClosed()) return Optional.empty();
        long id = ++lastSendId;
        byte[] frame;
        try {
            frame = CLIENT_FRAMES.writeValueAsBytes(new ClientFrame.Send(id, request));
        } catch (JsonProcessingException e) {
            throw new CourierException("could not encode a send", e);
        }
        if (frame.length > MAX_SEND_FRAME_BYTES) return Optional.empty();
        CompletableFuture<ServerFrame.SendResult> answer = sends.expect(id);
        enqueue(s, new String(frame, StandardCharsets.UTF_8)).whenComplete((sent, failure) -> {
            if (failure != null) answer.completeExceptionally(failure);
        });
        return Optional.of(answer);
    }

    /// The JDK's WebSocket allows one outstanding text send at a time: each frame is chained on
    /// the last, so frames leave in the order of the calls. The caller holds the lock.
    private CompletableFuture<WebSocket> enqueue(WebSocket s, String frame) {
        CompletableFuture<WebSocket> sent = lastSend.exceptionally(failure -> null).thenCompose(done -> s.sendText(frame, true));
        lastSend = sent;
        return sent;
    }

    private void run() {
        Duration backoff = MIN_BACKOFF;
        while (!closed) {
            CompletableFuture<Integer> ended = new CompletableFuture<>();
            var listener = new Listener(ended);
            try {
                socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                        .header("Authorization", authorization.get())
                        .buildAsync(url, listener).get(15, TimeUnit.SECONDS);
                backoff = MIN_BACKOFF;
                int code = waitWhilePinging(ended);
                onConnection.accept(false);
                if (code == CLOSE_REPLACED || code == CLOSE_DEVICE_REMOVED) {
                    log.info("delivery connection closed by the server ({}); not reconnecting", code);
                    return;
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                log.debug("delivery connection failed: {}", e.toString());
                WebSocket opened = socket;
                if (opened != null) {
                    opened.abort();
                    onConnection.accept(false);
                }
            } finally {
                // However it ended (an abort tells the listener nothing), no answer comes any more.
                listener.sends.endAll(new IOException("the delivery connection ended"));
            }
            socket = null;
            if (closed) return;
            long jittered = (long) (backoff.toMillis() * (0.5 + ThreadLocalRandom.current().nextDouble()));
            try {
                Thread.sleep(jittered);
            } catch (InterruptedException e) {
                return;
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    private int waitWhilePinging(CompletableFuture<Integer> ended) throws InterruptedException {
        while (true) {
            try {
                return ended.get(PING_EVERY.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                WebSocket s = socket;
                if (s != null) s.sendPing(ByteBuffer.wrap(new byte[] {'k'}));
            } catch (java.util.concurrent.ExecutionException e) {
                return -1;
            }
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final CompletableFuture<Integer> ended;
        private final StringBuilder partial = new StringBuilder();
        /// This socket's sends that await their answer.
        final PendingSends sends = new PendingSends();

        Listener(CompletableFuture<Integer> ended) {
            this.ended = ended;
        }

        /// Publishes the socket and reports the connection up before the first frame: the server
        /// sends the backlog at once, and an ack made before `buildAsync` completes would otherwise
        /// find no socket and be lost (and queue_empty would come before "connected").
        @Override
        public void onOpen(WebSocket ws) {
            synchronized (DeliveryConnection.this) {
                DeliveryConnection.this.sends = this.sends;
                socket = ws;
            }
            onConnection.accept(true);
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                try {
                    ServerFrame frame = JSON.readValue(text, ServerFrame.class);
                    switch (frame) {
                        case ServerFrame.SendResult result -> sends.answer(result);
                        case ServerFrame.Error error -> {
                            // Unanswerable now: each waiting send goes again by POST at once
                            // (idempotent by messageId) instead of after the answer timeout.
                            sends.failWaiting(new IOException("the server rejected a frame: " + error.code()));
                            onFrame.accept(frame);
                        }
                        default -> onFrame.accept(frame);
                    }
                } catch (Exception e) {
                    log.warn("could not handle a frame from the server: {}", e.toString());
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            sends.endAll(new IOException("the server closed the delivery connection (" + statusCode + ")"));
            ended.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            sends.endAll(error);
            ended.complete(-1);
        }
    }

    @Override
    public void close() {
        closed = true;
        WebSocket s = socket;
        if (s != null) {
            try {
                s.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(2, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // Closing anyway.
            }
            s.abort();
        }
        Thread t = loop;
        if (t != null) {
            t.interrupt();
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
