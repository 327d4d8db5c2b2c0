package dev.courier.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.protocol.Envelope;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/// Reads a delivery socket in the background as a device would: records each envelope's
/// content as text, acknowledges it, and counts `queue_empty` markers. Stops when the socket
/// closes (a killed node, say).
public final class Inbox implements AutoCloseable {
    private final TestSocket socket;
    private final Set<String> texts;
    private final AtomicInteger queueEmpty = new AtomicInteger();
    private final Thread reader;

    /// `texts` may be shared by several inboxes of the same device, one per connection.
    public Inbox(TestSocket socket, Set<String> texts) {
        this.socket = socket;
        this.texts = texts;
        this.reader = Thread.ofVirtual().start(this::read);
    }

    public static Set<String> newTextSet() {
        return ConcurrentHashMap.newKeySet();
    }

    private void read() {
        while (!socket.isClosed() && !Thread.currentThread().isInterrupted()) {
            JsonNode frame;
            try {
                frame = socket.next(Duration.ofMillis(200));
            } catch (AssertionError closed) {
                return;
            } catch (IllegalStateException interrupted) {
                return;
            }
            if (frame == null) continue;
            switch (frame.path("type").asText()) {
                case "envelope" -> {
                    try {
                        Envelope e = TestClient.JSON.treeToValue(frame.get("envelope"), Envelope.class);
                        texts.add(new String(e.content(), StandardCharsets.UTF_8));
                        socket.ack(e.guid());
                    } catch (Exception e) {
                        return; // the socket went away mid-ack
                    }
                }
                case "queue_empty" -> queueEmpty.incrementAndGet();
                default -> { }
            }
        }
    }

    public int queueEmptyCount() {
        return queueEmpty.get();
    }

    public boolean isClosed() {
        return socket.isClosed();
    }

    public Set<String> texts() {
        return texts;
    }

    @Override
    public void close() {
        reader.interrupt();
        socket.close();
    }
}
