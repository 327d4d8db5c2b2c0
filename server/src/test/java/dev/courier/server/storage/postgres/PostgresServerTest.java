package dev.courier.server.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.Envelope;
import dev.courier.server.testing.PostgresTestDatabase;
import dev.courier.server.testing.TestClient;
import dev.courier.server.testing.TestServer;
import dev.courier.server.testing.TestSocket;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/// The real server with `storage.backend=postgres`, end to end over HTTP and the WebSocket.
class PostgresServerTest {
    private PostgresTestDatabase database;
    private TestServer server;
    private TestClient client;

    @BeforeEach
    void start() {
        database = PostgresTestDatabase.create();
        server = new TestServer(database.serverSettings());
        client = new TestClient(server.baseUrl());
    }

    @AfterEach
    void stop() {
        try {
            if (server != null) server.close();
        } finally {
            if (database != null) database.close();
        }
    }

    @Test
    void registerSendReceiveAndAckOverTheWebSocket() throws Exception {
        var alice = client.register("alice");
        var bob = client.register("bob");
        try (var socket = TestSocket.connect(server, bob)) {
            socket.expectQueueEmpty();

            var response = client.send(alice, "Hello!".getBytes(StandardCharsets.UTF_8), bob);
            assertThat(response.status()).isEqualTo(200);
            assertThat(queuedEnvelopes()).as("a 200 means it is in PostgreSQL").isEqualTo(1);

            Envelope e = socket.nextEnvelope();
            assertThat(TestSocket.text(e)).isEqualTo("Hello!");
            assertThat(e.sourceAccount()).isEqualTo(alice.accountId());
            assertThat(e.serverTimestamp()).isEqualTo(response.body().get("serverTimestamp").asLong());

            socket.ack(e.guid());
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> queuedEnvelopes() == 0);
        }
        assertThat(client.get("/v1/messages", bob).body().get("envelopes")).isEmpty();
    }

    @Test
    void heldBacklogSurvivesAServerRestartAndArrivesInOrder() {
        var alice = client.register("alice");
        var bob = client.register("bob");
        for (int i = 0; i < 5; i++) {
            assertThat(client.send(alice, ("m" + i).getBytes(StandardCharsets.UTF_8), bob).status()).isEqualTo(200);
        }

        server.restart();

        try (var socket = TestSocket.connect(server, bob)) {
            for (int i = 0; i < 5; i++) assertThat(TestSocket.text(socket.nextEnvelope())).isEqualTo("m" + i);
            socket.expectQueueEmpty();
        }
    }

    @Test
    void healthReportsTheDatabase() {
        var health = client.request("GET", "/health", null, null);

        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body().get("status").asText()).isEqualTo("ok");
    }

    private int queuedEnvelopes() throws Exception {
        try (var c = database.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM envelopes")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void everyNodeOnTheDatabaseSignsWakeUpsWithTheSameVapidKey() {
        // A second node with a data directory of its own: the key must come from the database.
        try (var other = new TestServer(database.serverSettings())) {
            String first = client.request("GET", "/v1/push/vapid-key", null, null).body().get("publicKey").asText();
            String second = new TestClient(other.baseUrl()).request("GET", "/v1/push/vapid-key", null, null)
                    .body().get("publicKey").asText();
            assertThat(second).isEqualTo(first);
            assertThat(other.dataDir()).isNotEqualTo(server.dataDir());
            assertThat(other.dataDir().resolve("vapid-key.pem")).doesNotExist();
        }
    }
}
