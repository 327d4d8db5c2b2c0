package dev.courier.server.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.courier.server.testing.ServerPerTest;
import dev.courier.server.testing.TestClient;
import dev.courier.server.testing.TestServer;
import dev.courier.server.testing.TestSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/// Which deletions wait for an fsync on SQLite: the acks a socket sends commit without one of
/// their own; a `DELETE` (whose `204` says "gone") and every send still sync.
class AckSyncTest {
    private static final String UNSYNCED = "courier_sqlite_commit_unsynced_total";

    @RegisterExtension
    final ServerPerTest servers = new ServerPerTest();

    @Test
    void socketAcksCommitWithoutAnFsyncOfTheirOwnWhileRestAcksAndSendsAreSynced() throws Exception {
        TestServer server = servers.start(Map.of());
        TestClient client = servers.client();
        var alice = client.register("alice");
        var bob = client.register("bob");
        double before = metric(server, UNSYNCED);

        client.send(alice, "over the socket".getBytes(StandardCharsets.UTF_8), bob);
        assertThat(metric(server, UNSYNCED)).as("a send is synced").isEqualTo(before);
        try (var socket = TestSocket.connect(server, bob)) {
            socket.ack(socket.nextEnvelope().guid());
            socket.expectQueueEmpty();
            await().atMost(Duration.ofSeconds(5)).until(() -> client.get("/v1/messages", bob).body().get("envelopes").isEmpty());
        }
        double afterSocketAck = metric(server, UNSYNCED);
        assertThat(afterSocketAck).as("the socket ack's deletion committed unsynced").isEqualTo(before + 1);

        client.send(alice, "over REST".getBytes(StandardCharsets.UTF_8), bob);
        var pending = client.get("/v1/messages", bob).body().get("envelopes");
        assertThat(pending).hasSize(1);
        String guid = pending.get(0).get("guid").asText();
        assertThat(client.request("DELETE", "/v1/messages/" + guid, null, bob.authHeader()).status()).isEqualTo(204);
        assertThat(client.get("/v1/messages", bob).body().get("envelopes")).isEmpty();
        assertThat(metric(server, UNSYNCED)).as("the REST ack and the send were synced").isEqualTo(afterSocketAck);
    }

    private static double metric(TestServer server, String name) throws Exception {
        String exposition = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return SendMessageTest.metricValue(exposition, name);
    }
}
