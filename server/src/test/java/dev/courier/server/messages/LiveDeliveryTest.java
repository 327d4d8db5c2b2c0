package dev.courier.server.messages;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.protocol.Envelope;
import dev.courier.server.testing.ServerPerTest;
import dev.courier.server.testing.TestClient;
import dev.courier.server.testing.TestServer;
import dev.courier.server.testing.TestSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/// Envelopes committed while their device is connected. On SQLite the store hands each one to the
/// connection as it commits, and the connection sends it without reading it back; these tests
/// hold that path to the delivery contract: first in first out, nothing lost, nothing twice on
/// one connection, also when the device falls behind or connects in the middle of the sends.
class LiveDeliveryTest {
    @RegisterExtension
    final ServerPerTest servers = new ServerPerTest();
    private TestServer server;
    private TestClient client;

    private void start(Map<String, String> settings) {
        server = servers.start(settings);
        client = servers.client();
    }

    @Test
    void aDeviceThatFallsBehindGetsEverySendInOrderOnceAfterTheWindowFills() {
        // A window of 4 also bounds what the connection keeps of fresh commits: the sends below
        // overflow it, and the rest must come from the store.
        start(Map.of("websocket.deliveryWindow", "4"));
        var alice = client.register("alice");
        var bob = client.register("bob");
        try (var socket = TestSocket.connect(server, bob)) {
            socket.expectQueueEmpty();
            for (int i = 0; i < 40; i++) {
                assertThat(client.send(alice, ("m" + i).getBytes(StandardCharsets.UTF_8), bob).status()).isEqualTo(200);
            }
            List<Envelope> window = new ArrayList<>();
            for (int i = 0; i < 4; i++) window.add(socket.nextEnvelope());
            assertThat(socket.next(Duration.ofMillis(300))).as("a full window sends nothing more").isNull();

            List<String> texts = new ArrayList<>();
            for (Envelope e : window) {
                texts.add(TestSocket.text(e));
                socket.ack(e.guid());
            }
            for (int i = 4; i < 40; i++) {
                Envelope e = socket.nextEnvelope();
                texts.add(TestSocket.text(e));
                socket.ack(e.guid());
            }
            assertThat(texts).containsExactlyElementsOf(IntStream.range(0, 40).mapToObj(i -> "m" + i).toList());
            assertThat(socket.next(Duration.ofMillis(300))).as("nothing twice").isNull();
        }
    }

    @Test
    void sendsThatCommitWhileTheDeviceConnectsArriveOnceAndInEachSendersOrder() throws Exception {
        start(Map.of());
        var bob = client.register("bob");
        var backlogSender = client.register("alice");
        int backlog = 150;
        for (int i = 0; i < backlog; i++) client.send(backlogSender, ("alice:" + i).getBytes(StandardCharsets.UTF_8), bob);
        List<TestClient.Device> liveSenders = List.of(client.register("carol"), client.register("dave"), client.register("erin"));
        int perSender = 80;

        Map<String, List<Integer>> bySender = new HashMap<>();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            // Each live sender sends one message after another, so its own order is its queue order.
            List<Future<?>> senders = new ArrayList<>();
            for (var sender : liveSenders) {
                senders.add(threads.submit(() -> {
                    for (int i = 0; i < perSender; i++) {
                        var text = sender.username() + ":" + i;
                        assertThat(client.send(sender, text.getBytes(StandardCharsets.UTF_8), bob).status()).isEqualTo(200);
                    }
                    return null;
                }));
            }
            // Connect while they send: the backlog read and the fresh commits overlap.
            try (var socket = TestSocket.connect(server, bob)) {
                int expected = backlog + perSender * liveSenders.size();
                int received = 0;
                while (received < expected) {
                    JsonNode frame = socket.next();
                    if (!"envelope".equals(frame.path("type").asText())) continue;
                    Envelope e = TestClient.JSON.treeToValue(frame.get("envelope"), Envelope.class);
                    socket.ack(e.guid());
                    String text = TestSocket.text(e);
                    int colon = text.indexOf(':');
                    bySender.computeIfAbsent(text.substring(0, colon), k -> new ArrayList<>()).add(Integer.parseInt(text.substring(colon + 1)));
                    received++;
                }
                for (Future<?> f : senders) f.get();
                assertThat(socket.next(Duration.ofMillis(300))).as("nothing twice, nothing left").isNull();
            }
        }
        assertThat(bySender.get("alice")).containsExactlyElementsOf(IntStream.range(0, backlog).boxed().toList());
        for (var sender : liveSenders) {
            assertThat(bySender.get(sender.username())).as(sender.username() + "'s messages, in the order sent")
                    .containsExactlyElementsOf(IntStream.range(0, perSender).boxed().toList());
        }
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> client.get("/v1/messages", bob).body().get("envelopes").isEmpty());
    }

    @Test
    void anEnvelopeSentToAConnectionThatIsThenReplacedReachesTheNewOne() {
        start(Map.of());
        var alice = client.register("alice");
        var bob = client.register("bob");
        try (var first = TestSocket.connect(server, bob)) {
            first.expectQueueEmpty();
            client.send(alice, "live".getBytes(StandardCharsets.UTF_8), bob);
            assertThat(TestSocket.text(first.nextEnvelope())).isEqualTo("live");
            try (var second = TestSocket.connect(server, bob)) {
                assertThat(TestSocket.text(second.nextEnvelope())).as("unacknowledged, so sent again").isEqualTo("live");
                second.expectQueueEmpty();
            }
        }
    }
}
