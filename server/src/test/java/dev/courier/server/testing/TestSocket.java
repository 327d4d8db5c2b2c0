package dev.courier.server.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.protocol.ClientFrame;
import dev.courier.protocol.Envelope;
import dev.courier.protocol.SendMessageRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/// A delivery WebSocket as a device holds it, using the JDK's own client: frames arrive in a
/// queue for the test to take.
public final class TestSocket implements AutoCloseable {
    private final LinkedBlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final LinkedBlockingQueue<ByteBuffer> pongs = new LinkedBlockingQueue<>();
    private final WebSocket socket;

    private TestSocket(String url, String authorization) {
        HttpClient client = HttpClient.newHttpClient();
        var builder = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (authorization != null) builder.header("Authorization", authorization);
        this.socket = builder.buildAsync(URI.create(url), new Listener()).join();
    }

    public static TestSocket connect(TestServer server, TestClient.Device device) {
        return new TestSocket(server.wsUrl(), device.authHeader());
    }

    /// Connects to a server this test does not hold as a [TestServer], e.g. one in another process.
    public static TestSocket connect(String wsUrl, TestClient.Device device) {
        return new TestSocket(wsUrl, device.authHeader());
    }

    /// Tries to connect and returns the HTTP status of a refused upgrade (or 101).
    public static int upgradeStatus(TestServer server, String authorization) {
        try {
            new TestSocket(server.wsUrl(), authorization).close();
            return 101;
        } catch (CompletionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) return h.getResponse().statusCode();
            throw e;
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    frames.add(TestClient.JSON.readTree(partial.toString()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
            pongs.add(ByteBuffer.allocate(message.remaining()).put(message).flip());
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.complete(-1);
        }
    }

    /// The next frame, or null after `timeout`; fails if the server closed the socket meanwhile.
    public JsonNode next(Duration timeout) {
        try {
            JsonNode frame = frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (frame == null && closed.isDone()) {
                throw new AssertionError("the delivery socket was closed by the server (code " + closed.join() + ")");
            }
            return frame;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public JsonNode next() {
        JsonNode frame = next(Duration.ofSeconds(10));
        if (frame == null) throw new AssertionError("no frame arrived within 10 s");
        return frame;
    }

    /// The next frame, which must be an envelope.
    public Envelope nextEnvelope() {
        JsonNode frame = next();
        if (!"envelope".equals(frame.path("type").asText())) throw new AssertionError("expected an envelope, got " + frame);
        try {
            return TestClient.JSON.treeToValue(frame.get("envelope"), Envelope.class);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public void expectQueueEmpty() {
        JsonNode frame = next();
        if (!"queue_empty".equals(frame.path("type").asText())) throw new AssertionError("expected queue_empty, got " + frame);
    }

    public void ack(UUID guid) {
        sendText("{\"type\":\"ack\",\"guid\":\"" + guid + "\"}");
    }

    /// One `acks` frame for every GUID in `guids`.
    public void acks(List<UUID> guids) {
        sendFrame(new ClientFrame.Acks(guids));
    }

    /// A `send` frame: `request` is what `POST /v1/messages` would carry.
    public void send(long id, SendMessageRequest request) {
        sendFrame(new ClientFrame.Send(id, request));
    }

    /// One text message as `parts` frames of about equal length.
    public void sendInParts(String text, int parts) {
        int step = Math.ceilDiv(text.length(), parts);
        for (int from = 0; from < text.length(); from += step) {
            int to = Math.min(text.length(), from + step);
            socket.sendText(text.substring(from, to), to == text.length()).join();
        }
    }

    private void sendFrame(ClientFrame frame) {
        try {
            sendText(TestClient.JSON.writeValueAsString(frame));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /// Pings the server and returns the payload of the pong it answers with, or null after 5 s.
    public byte[] ping(byte[] payload) {
        socket.sendPing(ByteBuffer.wrap(payload)).join();
        try {
            ByteBuffer pong = pongs.poll(5, TimeUnit.SECONDS);
            if (pong == null) return null;
            byte[] out = new byte[pong.remaining()];
            pong.get(out);
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /// The next frame, which must be a `send_result`.
    public JsonNode nextSendResult() {
        JsonNode frame = next();
        if (!"send_result".equals(frame.path("type").asText())) throw new AssertionError("expected a send_result, got " + frame);
        return frame;
    }

    public void sendText(String text) {
        socket.sendText(text, true).join();
    }

    public void sendBinary(byte[] data) {
        socket.sendBinary(ByteBuffer.wrap(data), true).join();
    }

    /// The close code the server sent, waiting up to `timeout`; -1 on error.
    public int awaitClose(Duration timeout) {
        return closed.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    public static String text(Envelope e) {
        return new String(e.content(), java.nio.charset.StandardCharsets.UTF_8);
    }

    public static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            try {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // The server may have closed first.
            }
        }
        socket.abort();
    }
}
