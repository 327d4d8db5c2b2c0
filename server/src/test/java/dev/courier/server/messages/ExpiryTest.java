package dev.courier.server.messages;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.Envelope;
import dev.courier.protocol.EnvelopeType;
import dev.courier.server.testing.TestClient;
import dev.courier.server.testing.TestServer;
import dev.courier.server.testing.TestSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/// Undelivered envelopes expire after the TTL and the sender is told, without content.
class ExpiryTest {
    private TestServer server;
    private TestClient client;

    @BeforeEach
    void start() {
        // A long interval: the test drives the reaper itself after moving the clock.
        server = new TestServer(Map.of("messages.ttl", "2d", "messages.expiryInterval", "1h"));
        client = new TestClient(server.baseUrl());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void undeliveredEnvelopeExpiresAfterTtlAndEverySenderDeviceGetsANotice() {
        var alice = client.register("alice");
        var alice2 = client.addDevice(alice);
        var bob = client.register("bob");
        var bob2 = client.addDevice(bob);
        UUID messageId = UUID.randomUUID();
        assertThat(client.send(alice, messageId, "lost?".getBytes(StandardCharsets.UTF_8), bob, bob2).status()).isEqualTo(200);

        server.clock().advance(Duration.ofDays(1));
        assertThat(server.server().expiryReaper().reapNow()).isZero();
        assertThat(client.get("/v1/messages", bob).body().get("envelopes")).hasSize(1);

        try (var aliceSocket = TestSocket.connect(server, alice)) {
            aliceSocket.expectQueueEmpty();
            server.clock().advance(Duration.ofDays(1).plusMinutes(1));
            assertThat(server.server().expiryReaper().reapNow()).isEqualTo(2);

            assertThat(client.get("/v1/messages", bob).body().get("envelopes")).isEmpty();
            assertThat(client.get("/v1/messages", bob2).body().get("envelopes")).isEmpty();
            // The online sender device gets the notice pushed at once; it names the message, not its content.
            Envelope notice = aliceSocket.nextEnvelope();
            assertThat(notice.type()).isEqualTo(EnvelopeType.EXPIRY_NOTICE);
            assertThat(notice.expiredMessageIds()).containsExactly(messageId);
            assertThat(notice.content()).isNull();
            assertThat(notice.sourceAccount()).isNull();
        }
        // The offline sender device holds it until it connects.
        var pending = client.get("/v1/messages", alice2).body().get("envelopes");
        assertThat(pending).hasSize(1);
        assertThat(pending.get(0).get("type").asInt()).isEqualTo(EnvelopeType.EXPIRY_NOTICE);
        assertThat(pending.get(0).get("expiredMessageIds").get(0).asText()).isEqualTo(messageId.toString());
    }

    @Test
    void acknowledgedEnvelopeNeverExpiresIntoANotice() {
        var alice = client.register("alice");
        var bob = client.register("bob");
        client.send(alice, "read in time".getBytes(StandardCharsets.UTF_8), bob);
        String guid = client.get("/v1/messages", bob).body().get("envelopes").get(0).get("guid").asText();
        assertThat(client.request("DELETE", "/v1/messages/" + guid, null, bob.authHeader()).status()).isEqualTo(204);
        server.clock().advance(Duration.ofDays(3));
        assertThat(server.server().expiryReaper().reapNow()).isZero();
        assertThat(client.get("/v1/messages", alice).body().get("envelopes")).isEmpty();
    }

    @Test
    void idempotencyRecordOutlivesNoTtl() {
        var alice = client.register("alice");
        var bob = client.register("bob");
        UUID id = UUID.randomUUID();
        var first = client.send(alice, id, "x".getBytes(StandardCharsets.UTF_8), bob);
        server.clock().advance(Duration.ofDays(3));
        server.server().expiryReaper().reapNow();
        // After the TTL the record is gone, so the same ID is a new send (clients never retry that late).
        var later = client.send(alice, id, "x".getBytes(StandardCharsets.UTF_8), bob);
        assertThat(later.status()).isEqualTo(200);
        assertThat(later.body().get("serverTimestamp").asLong()).isGreaterThan(first.body().get("serverTimestamp").asLong());
    }
}
