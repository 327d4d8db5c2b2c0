package dev.courier.server.messages;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.Envelope;
import dev.courier.server.testing.TestClient;
import dev.courier.server.testing.TestServer;
import dev.courier.server.testing.TestSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/// Delivery over the WebSocket: push to online devices, hold for offline ones, ack to delete.
class DeliveryTest {
    private TestServer server;
    private TestClient client;

    @BeforeEach
    void start() {
        server = new TestServer();
        client = new TestClient(server.baseUrl());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void onlineDeviceIsPushedWithoutPolling() {
        var alice = client.register("alice");
        var bob = client.register("bob");
        try (var socket = TestSocket.connect(server, bob)) {
            socket.expectQueueEmpty();
            var response = client.send(alice, "Hello!".getBytes(StandardCharsets.UTF_8), bob);
            assertThat(response.status()).isEqualTo(200);
            Envelope e = socket.nextEnvelope();
            assertThat(TestSocket.text(e)).isEqualTo("Hello!");
            assertThat(e.sourceAccount()).isEqualTo(alice.accountId());
            assertThat(e.sourceDevice()).isEqualTo(1);
            assertThat(e.serverTimestamp()).isEqualTo(response.body().get("serverTimestamp").asLong());
        }
    }

    @Test
    void offlineDeviceGetsHeldBacklogInOrderOnConnect() {
        var alice = client.register("alice");
        var bob = client.register("bob");
        for (int i = 0; i < 20; i++) {
            assertThat(client.send(alice, ("m" + i).getBytes(StandardCharsets.UTF_8), bob).status()).isEqualTo(200);
        }
        try (var socket = TestSocket.connect(server, bob)) {
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 20; i++) got.add(TestSocket.text(socket.nextEnvelope()));
            socket.expectQueueEmpty();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 20; i++) expected.add("m" + i);
            assertThat(got).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void unackedEnvelopeIsRedeliveredAfterReconnectAndAckedOneIsNot() {
        var alice = client.register("alice");
        var bob = client.register("bob");
        client.send(alice, "first".getBytes(StandardCharsets.UTF_8), bob);
        client.send(alice, "second".getBytes(StandardCharsets.UTF_8), bob);
        try (var socket = TestSocket.connect(server, bob)) {
            Envelope first = socket.nextEnvelope();
            socket.nextEnvelope();
            socket.expectQueueEmpty();
            socket.ack(first.guid());
            // The ack is durable before the server forgets the envelope; poll the REST view for it.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
                    client.get("/v1/messages", bob).body().get("envelopes").size() == 1);
        }
        try (var socket = TestSocket.connect(server, bob)) {
            assertThat(TestSocket.text(socket.nextEnvelope())).isEqualTo("second");
            socket.expectQueueEmpty();
        }
    }
}
