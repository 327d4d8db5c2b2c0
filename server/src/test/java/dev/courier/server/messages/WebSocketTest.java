package dev.courier.server.messages;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.server.testing.RawSocket;
import dev.courier.server.testing.RawUpgrade;
import dev.courier.server.testing.ServerPerTest;
import dev.courier.server.testing.TestClient;
import dev.courier.server.testing.TestServer;
import dev.courier.server.testing.TestSocket;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/// The delivery socket's connection rules: one per device, liveness, frame limits and bad frames.
class WebSocketTest {
    @RegisterExtension
    final ServerPerTest servers = new ServerPerTest();
    private TestServer server;
    private TestClient client;

    private void start(Map<String, String> settings) {
        server = servers.start(settings);
        client = servers.client();
    }

    @Test
    void secondConnectionOfADeviceReplacesTheFirst() {
        start(Map.of());
        var alice = client.register("alice");
        var bob = client.register("bob");
        try (var first = TestSocket.connect(server, bob)) {
            first.expectQueueEmpty();
            try (var second = TestSocket.connect(server, bob)) {
                second.expectQueueEmpty();
                assertThat(first.awaitClose(Duration.ofSeconds(5))).isEqualTo(4000);
                client.send(alice, "to the new one".getBytes(StandardCharsets.UTF_8), bob);
                assertThat(TestSocket.text(second.nextEnvelope())).isEqualTo("to the new one");
            }
        }
    }

    @Test
    void envelopeUnackedOnReplacedConnectionIsDeliveredOnTheNewOne() {
        start(Map.of());
        var alice = client.register("alice");
        var bob = client.register("bob");
        client.send(alice, "pending".getBytes(StandardCharsets.UTF_8), bob);
        try (var first = TestSocket.connect(server, bob)) {
            assertThat(TestSocket.text(first.nextEnvelope())).isEqualTo("pending");
            try (var second = TestSocket.connect(server, bob)) {
                assertThat(TestSocket.text(second.nextEnvelope())).isEqualTo("pending");
                second.expectQueueEmpty();
            }
        }
    }

    @Test
    void windowHoldsBackEnvelopesUntilAcksFreeSlotsOverEitherPath() {
        start(Map.of("websocket.deliveryWindow", "2"));
        var alice = client.register("alice");
        var bob = client.register("bob");
        for (int i = 0; i < 4; i++) client.send(alice, ("m" + i).getBytes(StandardCharsets.UTF_8), bob);
        try (var socket = TestSocket.connect(server, bob)) {
            var first = socket.nextEnvelope();
            socket.nextEnvelope();
            assertThat(socket.next(Duration.ofMillis(500))).as("a full window sends nothing more").isNull();
            // An ack over REST frees the slot just as a socket ack does.
            assertThat(client.request("DELETE", "/v1/messages/" + first.guid(), null, bob.authHeader()).status()).isEqualTo(204);
            var third = socket.nextEnvelope();
            assertThat(TestSocket.text(third)).isEqualTo("m2");
            socket.ack(third.guid());
            assertThat(TestSocket.text(socket.nextEnvelope())).isEqualTo("m3");
        }
    }

    @Test
    void fullWindowRefillsOnceAQuarterIsAckedAndTheBacklogArrivesInOrder() {
        start(Map.of("websocket.deliveryWindow", "8"));
        var alice = client.register("alice");
        var bob = client.register("bob");
        for (int i = 0; i < 30; i++) client.send(alice, ("m" + i).getBytes(StandardCharsets.UTF_8), bob);
        try (var socket = TestSocket.connect(server, bob)) {
            List<UUID> guids = new ArrayList<>();
            for (int i = 0; i < 8; i++) guids.add(socket.nextEnvelope().guid());
            socket.ack(guids.get(0));
            assertThat(socket.next(Duration.ofMillis(300))).as("one free slot of 8 is not yet a refill").isNull();
            socket.ack(guids.get(1));
            for (int i = 2; i < 8; i++) socket.ack(guids.get(i));
            List<String> texts = new ArrayList<>();
            for (int i = 8; i < 30; i++) {
                var envelope = socket.nextEnvelope();
                texts.add(TestSocket.text(envelope));
                socket.ack(envelope.guid());
            }
            assertThat(texts).containsExactlyElementsOf(IntStream.range(8, 30).mapToObj(i -> "m" + i).toList());
        }
    }

    @Test
    void malformedFrameGetsAnErrorFrameAndTheConnectionStaysUsable() {
        start(Map.of());
        var alice = client.register("alice");
        var bob = client.register("bob");
        try (var socket = TestSocket.connect(server, bob)) {
            socket.expectQueueEmpty();
            socket.sendText("{not json");
            JsonNode error = socket.next();
            assertThat(error.get("type").asText()).isEqualTo("error");
            assertThat(error.get("code").asText()).isEqualTo("invalid_frame");
            socket.sendText("{\"type\":\"ack\"}");
            assertThat(socket.next().get("code").asText()).isEqualTo("invalid_frame");
            socket.sendBinary(new byte[] {1, 2, 3});
            assertThat(socket.next().get("code").asText()).isEqualTo("unsupported_frame");
            client.send(alice, "still here".getBytes(StandardCharsets.UTF_8), bob);
            assertThat(TestSocket.text(socket.nextEnvelope())).isEqualTo("still here");
        }
    }

    @Test
    void oversizeFrameClosesTheConnectionWith1009() {
        start(Map.of("websocket.maxFrameSize", "4KiB"));
        var bob = client.register("bob");
        try (var socket = TestSocket.connect(server, bob)) {
            socket.expectQueueEmpty();
            socket.sendText("x".repeat(8 * 1024));
            assertThat(socket.awaitClose(Duration.ofSeconds(5))).isEqualTo(1009);
        }
    }

    @Test
    void fragmentedMessageIsJoinedAndOverTheLimitInAllClosesWith1009() {
        start(Map.of("websocket.maxFrameSize", "4KiB"));
        var alice = client.register("alice");
        var bob = client.register("bob");
        try (var socket = TestSocket.connect(server, bob)) {
            socket.expectQueueEmpty();
            // Each frame is under the limit: only the joined message is not.
            socket.sendInParts("{\"type\":\"acks\",\"guids\":[\"" + "x".repeat(5000) + "\"]}", 3);
            assertThat(socket.awaitClose(Duration.ofSeconds(5))).isEqualTo(1009);
        }
        try (var socket = TestSocket.connect(server, bob)) {
            socket.expectQueueEmpty();
            client.send(alice, "in parts".getBytes(StandardCharsets.UTF_8), bob);
            var envelope = socket.nextEnvelope();
            socket.sendInParts("{\"type\":\"ack\",\"guid\":\"" + envelope.guid() + "\"}", 4);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
                    client.get("/v1/messages", bob).body().get("envelopes").isEmpty());
            assertThat(socket.isClosed()).isFalse();
        }
    }

    @Test
    void pingIsAnsweredWithAPongCarryingItsPayload() {
        start(Map.of());
        var bob = client.register("bob");
        try (var socket = TestSocket.connect(server, bob)) {
            socket.expectQueueEmpty();
            assertThat(socket.ping(new byte[] {7, 8, 9})).containsExactly(7, 8, 9);
            assertThat(socket.ping(new byte[0])).isEmpty();
        }
    }

    @Test
    void textThatIsNotUtf8GetsAnErrorFrameAndTheConnectionStaysUsable() throws Exception {
        start(Map.of());
        var alice = client.register("alice");
        var bob = client.register("bob");
        try (var raw = RawSocket.open(server, bob.authHeader())) {
            assertThat(raw.nextTextFrame()).contains("\"queue_empty\"");
            // An ack of an unknown GUID with a field the server ignores: with "é" in it (C3 A9) it
            // is taken without an answer; with C3 28, which no UTF-8 sequence is, it is refused.
            raw.sendTextFrame(ackWithNote(UUID.randomUUID(), (byte) 0xC3, (byte) 0xA9));
            raw.sendTextFrame(ackWithNote(UUID.randomUUID(), (byte) 0xC3, (byte) 0x28));
            assertThat(raw.nextTextFrame()).contains("\"invalid_frame\"");
            client.send(alice, "still here".getBytes(StandardCharsets.UTF_8), bob);
            assertThat(raw.nextTextFrame()).contains("\"envelope\"");
        }
    }

    private static byte[] ackWithNote(UUID guid, byte... note) {
        var frame = new java.io.ByteArrayOutputStream();
        frame.writeBytes(("{\"type\":\"ack\",\"guid\":\"" + guid + "\",\"note\":\"").getBytes(StandardCharsets.US_ASCII));
        frame.writeBytes(note);
        frame.writeBytes("\"}".getBytes(StandardCharsets.US_ASCII));
        return frame.toByteArray();
    }

    @Test
    void silentConnectionIsClosedAfterTheIdleTimeout() {
        start(Map.of("websocket.idleTimeout", "1s"));
        var bob = client.register("bob");
        try (var socket = TestSocket.connect(server, bob)) {
            socket.expectQueueEmpty();
            assertThat(socket.awaitClose(Duration.ofSeconds(10))).as("docs/API.md: 1001 on idle timeout").isEqualTo(1001);
        }
        // Once gone, the device counts as offline again.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
                client.request("GET", "/health", null, null).body().get("connections").asInt() == 0);
    }

    @Test
    void clientPingsKeepAConnectionAlivePastTheIdleTimeout() throws Exception {
        start(Map.of("websocket.idleTimeout", "1s"));
        var alice = client.register("alice");
        var bob = client.register("bob");
        var frames = new java.util.concurrent.LinkedBlockingQueue<String>();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().header("Authorization", bob.authHeader())
                .buildAsync(URI.create(server.wsUrl()), new WebSocket.Listener() {
                    @Override
                    public java.util.concurrent.CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        frames.add(data.toString());
                        w.request(1);
                        return null;
                    }
                }).join();
        for (int i = 0; i < 6; i++) {
            Thread.sleep(400);
            ws.sendPing(java.nio.ByteBuffer.wrap(new byte[] {1})).join();
        }
        client.send(alice, "alive".getBytes(StandardCharsets.UTF_8), bob);
        String last = null;
        for (int i = 0; i < 2; i++) last = frames.poll(5, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(last).contains("\"type\":\"envelope\"");
        ws.abort();
    }

    @Test
    void upgradesCountAgainstThePerIpRate() {
        start(Map.of("ratelimit.perIp", "4/1h"));
        var bob = client.register("bob"); // one request of the four
        assertThat(TestSocket.upgradeStatus(server, bob.authHeader())).isEqualTo(101);
        assertThat(TestSocket.upgradeStatus(server, bob.authHeader())).isEqualTo(101);
        assertThat(TestSocket.upgradeStatus(server, bob.authHeader())).isEqualTo(101);
        assertThat(TestSocket.upgradeStatus(server, bob.authHeader())).isEqualTo(429);
    }

    @Test
    void permessageDeflateIsNotNegotiated() {
        start(Map.of());
        var bob = client.register("bob");
        var answer = RawUpgrade.send(server, bob.authHeader(), "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n");
        assertThat(answer.status()).isEqualTo(101);
        assertThat(answer.headers()).doesNotContainKey("sec-websocket-extensions");
    }

    @Test
    void anUnauthenticatedUpgradeIsRefusedWithAJsonErrorAndNoSocket() throws Exception {
        start(Map.of());
        var answer = RawUpgrade.send(server, "Basic " + java.util.Base64.getEncoder().encodeToString(
                (UUID.randomUUID() + ".1:wrong").getBytes(StandardCharsets.UTF_8)), "");
        assertJsonError(answer, 401, "unauthorized");
        assertThat(answer.headers().get("www-authenticate")).startsWith("Basic");
    }

    @Test
    void anUpgradeOverThePerIpRateGetsA429WithRetryAfterAndAJsonError() throws Exception {
        start(Map.of("ratelimit.perIp", "2/1h"));
        var bob = client.register("bob"); // one request of the two
        assertThat(RawUpgrade.send(server, bob.authHeader(), "").status()).isEqualTo(101);
        var answer = RawUpgrade.send(server, bob.authHeader(), "");
        assertJsonError(answer, 429, "rate_limited");
        assertThat(Long.parseLong(answer.headers().get("retry-after"))).isPositive();
    }

    /// A refused upgrade: the status, a JSON `{code, message}` body, and no switch to WebSocket.
    private static void assertJsonError(RawUpgrade answer, int status, String code) throws Exception {
        assertThat(answer.status()).isEqualTo(status);
        assertThat(answer.headers()).doesNotContainKey("upgrade");
        assertThat(answer.headers().get("content-type")).startsWith("application/json");
        JsonNode body = TestClient.JSON.readTree(answer.body());
        assertThat(body.get("code").asText()).isEqualTo(code);
        assertThat(body.get("message").asText()).isNotBlank();
    }

    @Test
    void idleConnectionsHoldNoThreads() throws Exception {
        start(Map.of());
        List<TestClient.Device> devices = new ArrayList<>();
        for (int i = 0; i < 100; i++) devices.add(client.register("user" + i));
        int before = liveThreads();
        // One shared client, so the test's own side adds one selector thread, not one per socket.
        HttpClient shared = HttpClient.newHttpClient();
        List<WebSocket> sockets = new ArrayList<>();
        for (var d : devices) {
            sockets.add(shared.newWebSocketBuilder().header("Authorization", d.authHeader())
                    .buildAsync(URI.create(server.wsUrl()), new WebSocket.Listener() {}).join());
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                client.request("GET", "/health", null, null).body().get("connections").asInt() == 100);
        Thread.sleep(500);
        int during = liveThreads();
        assertThat(during - before).as("threads added by 100 idle connections").isLessThan(25);
        sockets.forEach(WebSocket::abort);
    }

    /// Platform and virtual threads alike, from a JSON thread dump (virtual threads do not show
    /// in `Thread.getAllStackTraces`).
    private static int liveThreads() throws Exception {
        Path dump = Files.createTempFile("threads", ".json");
        Files.delete(dump);
        var bean = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
        bean.dumpThreads(dump.toString(), com.sun.management.HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
        String json = Files.readString(dump);
        Files.delete(dump);
        Matcher m = Pattern.compile("\"tid\"").matcher(json);
        int n = 0;
        while (m.find()) n++;
        return n;
    }
}
