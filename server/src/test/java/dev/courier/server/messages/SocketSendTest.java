package dev.courier.server.messages;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.courier.protocol.EnvelopeType;
import dev.courier.protocol.OutgoingMessage;
import dev.courier.protocol.SendMessageRequest;
import dev.courier.server.testing.ServerPerTest;
import dev.courier.server.testing.TestClient;
import dev.courier.server.testing.TestServer;
import dev.courier.server.testing.TestSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/// Sends and batched acks over the delivery socket (docs/API.md §8): the same contract as
/// `POST /v1/messages` and `ack`, by the socket's device.
class SocketSendTest {
    @RegisterExtension
    final ServerPerTest servers = new ServerPerTest();
    private TestServer server;
    private TestClient client;

    private void start(Map<String, String> settings) {
        server = servers.start(settings);
        client = servers.client();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static SendMessageRequest request(TestClient.Device to, UUID messageId, String text) {
        return new SendMessageRequest(to.accountId().toString(), messageId, System.currentTimeMillis(),
                List.of(new OutgoingMessage(to.deviceId(), to.registrationId(), EnvelopeType.CIPHERTEXT, bytes(text))));
    }

    @Test
    void socketSendIsAnsweredLikePostAndDeliveredFromTheSocketsDevice() {
        start(Map.of());
        var alice = client.register("alice");
        var bob = client.register("bob");
        try (var aliceSocket = TestSocket.connect(server, alice); var bobSocket = TestSocket.connect(server, bob)) {
            aliceSocket.expectQueueEmpty();
            bobSocket.expectQueueEmpty();

            aliceSocket.send(7, request(bob, UUID.randomUUID(), "Hello!"));

            JsonNode answer = aliceSocket.nextSendResult();
            assertThat(answer.get("id").asLong()).isEqualTo(7);
            assertThat(answer.get("status").asInt()).isEqualTo(200);
            assertThat(answer.at("/result/recipientId").asText()).isEqualTo(bob.accountId().toString());
            assertThat(answer.has("error")).isFalse();
            var envelope = bobSocket.nextEnvelope();
            assertThat(TestSocket.text(envelope)).isEqualTo("Hello!");
            assertThat(envelope.sourceAccount()).isEqualTo(alice.accountId());
            assertThat(envelope.sourceDevice()).isEqualTo(alice.deviceId());
        }
    }

    @Test
    void senderNamedInsideTheFrameIsIgnoredForTheSocketsDevice() {
        start(Map.of());
        var alice = client.register("alice");
        var bob = client.register("bob");
        var mallory = client.register("mallory");
        try (var mallorySocket = TestSocket.connect(server, mallory)) {
            mallorySocket.expectQueueEmpty();
            ObjectNode frame = TestClient.JSON.createObjectNode().put("type", "send").put("id", 1)
                    .put("source", alice.accountId().toString()).put("sourceDevice", alice.deviceId());
            ObjectNode message = TestClient.JSON.valueToTree(request(bob, UUID.randomUUID(), "spoofed?"));
            message.put("sender", alice.accountId().toString());
            frame.set("message", message);
            mallorySocket.sendText(frame.toString());
            assertThat(mallorySocket.nextSendResult().get("status").asInt()).isEqualTo(200);
        }
        JsonNode queued = client.get("/v1/messages", bob).body().get("envelopes");
        assertThat(queued).hasSize(1);
        assertThat(queued.get(0).get("sourceAccount").asText()).isEqualTo(mallory.accountId().toString());
    }

    @Test
    void retryOfASocketSendOverEitherPathGetsTheFirstAnswerAndQueuesOnce() {
        start(Map.of());
        var alice = client.register("alice");
        var bob = client.register("bob");
        UUID messageId = UUID.randomUUID();
        try (var socket = TestSocket.connect(server, alice)) {
            socket.expectQueueEmpty();
            socket.send(1, request(bob, messageId, "once"));
            JsonNode first = socket.nextSendResult();
            server.clock().advance(Duration.ofSeconds(5));
            socket.send(2, request(bob, messageId, "once"));
            JsonNode again = socket.nextSendResult();
            var overHttp = client.send(alice, messageId, bytes("once"), bob);

            assertThat(again.get("status").asInt()).isEqualTo(200);
            assertThat(again.get("result")).isEqualTo(first.get("result"));
            assertThat(overHttp.status()).isEqualTo(200);
            assertThat(overHttp.body()).isEqualTo(first.get("result"));
        }
        assertThat(client.get("/v1/messages", bob).body().get("envelopes")).hasSize(1);
    }

    /// Each refusal is compared with what `POST /v1/messages` answers to the same request.
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "unknown recipient, 404, unknown_recipient",
            "missing device, 409, mismatched_devices",
            "extra device, 409, mismatched_devices",
            "stale registration, 410, stale_devices",
            "no ciphertexts, 400, invalid_request",
            "no message, 400, invalid_request",
    })
    void socketSendIsRefusedWithTheStatusAndBodyOfPost(String refusal, int status, String code) {
        start(Map.of());
        var alice = client.register("alice");
        var bob = client.register("bob");
        var bob2 = client.addDevice(bob);
        UUID id = UUID.randomUUID();
        var toBoth = List.of(new OutgoingMessage(bob.deviceId(), bob.registrationId(), EnvelopeType.CIPHERTEXT, bytes("x")),
                new OutgoingMessage(bob2.deviceId(), bob2.registrationId(), EnvelopeType.CIPHERTEXT, bytes("x")));
        SendMessageRequest request = switch (refusal) {
            case "unknown recipient" -> new SendMessageRequest("nobody", id, System.currentTimeMillis(), toBoth);
            case "missing device" -> new SendMessageRequest(bob.username(), id, System.currentTimeMillis(), toBoth.subList(0, 1));
            case "extra device" -> new SendMessageRequest(bob.username(), id, System.currentTimeMillis(), List.of(toBoth.get(0),
                    toBoth.get(1), new OutgoingMessage(9, 1, EnvelopeType.CIPHERTEXT, bytes("x"))));
            case "stale registration" -> new SendMessageRequest(bob.username(), id, System.currentTimeMillis(), List.of(toBoth.get(0),
                    new OutgoingMessage(bob2.deviceId(), bob2.registrationId() + 1, EnvelopeType.CIPHERTEXT, bytes("x"))));
            case "no ciphertexts" -> new SendMessageRequest(bob.username(), id, System.currentTimeMillis(), List.of());
            case "no message" -> null;
            default -> throw new IllegalArgumentException(refusal);
        };
        var overHttp = request == null ? client.post("/v1/messages", "null", alice) : client.post("/v1/messages", request, alice);
        try (var socket = TestSocket.connect(server, alice)) {
            socket.expectQueueEmpty();
            socket.send(3, request);
            JsonNode answer = socket.nextSendResult();

            assertThat(answer.get("id").asLong()).isEqualTo(3);
            assertThat(answer.get("status").asInt()).isEqualTo(status).isEqualTo(overHttp.status());
            assertThat(answer.at("/error/code").asText()).isEqualTo(code);
            if (request != null) assertThat(answer.get("error")).isEqualTo(overHttp.body());
            assertThat(answer.has("result")).isFalse();
        }
        assertThat(client.get("/v1/messages", bob).body().get("envelopes")).isEmpty();
    }

    @Test
    void socketSendsShareThePostRateLimitAndGet429WithRetryAfter() {
        start(Map.of("ratelimit.sendPerAccount", "2/1h"));
        var alice = client.register("alice");
        var bob = client.register("bob");
        assertThat(client.send(alice, bytes("over http"), bob).status()).isEqualTo(200);
        try (var socket = TestSocket.connect(server, alice)) {
            socket.expectQueueEmpty();
            socket.send(1, request(bob, UUID.randomUUID(), "second"));
            assertThat(socket.nextSendResult().get("status").asInt()).isEqualTo(200);
            socket.send(2, request(bob, UUID.randomUUID(), "third"));
            JsonNode refused = socket.nextSendResult();
            assertThat(refused.get("status").asInt()).isEqualTo(429);
            assertThat(refused.at("/error/code").asText()).isEqualTo("rate_limited");
            assertThat(refused.at("/error/retryAfterSeconds").asLong()).isPositive();
        }
        assertThat(client.get("/v1/messages", bob).body().get("envelopes")).hasSize(2);
    }

    @Test
    void sendFrameWithoutAnIdGetsAnErrorFrameAndSendsNothing() {
        start(Map.of());
        var alice = client.register("alice");
        var bob = client.register("bob");
        try (var socket = TestSocket.connect(server, alice)) {
            socket.expectQueueEmpty();
            ObjectNode frame = TestClient.JSON.createObjectNode().put("type", "send");
            frame.set("message", TestClient.JSON.valueToTree(request(bob, UUID.randomUUID(), "no id")));
            socket.sendText(frame.toString());
            JsonNode error = socket.next();
            assertThat(error.get("type").asText()).isEqualTo("error");
            assertThat(error.get("code").asText()).isEqualTo("invalid_frame");
        }
        assertThat(client.get("/v1/messages", bob).body().get("envelopes")).isEmpty();
    }

    @Test
    void pipelinedSocketSendsAreEachAnsweredAndDeliveredInOrder() {
        start(Map.of());
        var alice = client.register("alice");
        var bob = client.register("bob");
        int count = 200;
        try (var aliceSocket = TestSocket.connect(server, alice); var bobSocket = TestSocket.connect(server, bob)) {
            aliceSocket.expectQueueEmpty();
            bobSocket.expectQueueEmpty();
            for (int i = 0; i < count; i++) aliceSocket.send(i, request(bob, UUID.randomUUID(), "m" + i));

            Set<Long> answered = new HashSet<>();
            for (int i = 0; i < count; i++) {
                JsonNode answer = aliceSocket.nextSendResult();
                assertThat(answer.get("status").asInt()).isEqualTo(200);
                answered.add(answer.get("id").asLong());
            }
            assertThat(answered).hasSize(count);
            // Each answer came after its commit; the recipient sees commit order, which for sends
            // of one sender answered one by one is not fixed, so only completeness is asserted.
            Set<String> texts = new HashSet<>();
            List<UUID> guids = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                var envelope = bobSocket.nextEnvelope();
                texts.add(TestSocket.text(envelope));
                guids.add(envelope.guid());
            }
            assertThat(texts).hasSize(count);
            for (int i = 0; i < count; i += 100) bobSocket.acks(guids.subList(i, Math.min(count, i + 100)));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> client.get("/v1/messages", bob).body().get("envelopes").isEmpty());
        }
    }

    @Test
    void acksFrameDeletesEveryListedEnvelopeOfTheSocketsDeviceOnly() {
        start(Map.of());
        var alice = client.register("alice");
        var bob = client.register("bob");
        var carol = client.register("carol");
        for (int i = 0; i < 5; i++) client.send(alice, bytes("b" + i), bob);
        client.send(alice, bytes("for carol"), carol);
        UUID carolsGuid = UUID.fromString(client.get("/v1/messages", carol).body().at("/envelopes/0/guid").asText());
        try (var socket = TestSocket.connect(server, bob)) {
            List<UUID> guids = new ArrayList<>();
            for (int i = 0; i < 5; i++) guids.add(socket.nextEnvelope().guid());
            socket.expectQueueEmpty();
            guids.add(carolsGuid);
            guids.add(UUID.randomUUID());
            socket.acks(guids);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> client.get("/v1/messages", bob).body().get("envelopes").isEmpty());
        }
        assertThat(client.get("/v1/messages", carol).body().get("envelopes")).as("another device's envelope").hasSize(1);
        try (var again = TestSocket.connect(server, bob)) {
            again.expectQueueEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "no guids      | {\"type\":\"acks\",\"guids\":[]}",
            "missing guids | {\"type\":\"acks\"}",
            "a null guid   | {\"type\":\"acks\",\"guids\":[null]}",
            "not a uuid    | {\"type\":\"acks\",\"guids\":[\"nope\"]}",
    })
    void malformedAcksFrameGetsAnErrorFrame(String why, String frame) {
        start(Map.of());
        var bob = client.register("bob");
        try (var socket = TestSocket.connect(server, bob)) {
            socket.expectQueueEmpty();
            socket.sendText(frame);
            JsonNode error = socket.next();
            assertThat(error.get("type").asText()).isEqualTo("error");
            assertThat(error.get("code").asText()).isEqualTo("invalid_frame");
        }
    }

    @Test
    void acksFrameLongerThanTheDeliveryWindowGetsAnErrorFrame() {
        start(Map.of("websocket.deliveryWindow", "4"));
        var bob = client.register("bob");
        try (var socket = TestSocket.connect(server, bob)) {
            socket.expectQueueEmpty();
            socket.acks(List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID()));
            JsonNode error = socket.next();
            assertThat(error.get("code").asText()).isEqualTo("invalid_frame");
        }
    }
}
