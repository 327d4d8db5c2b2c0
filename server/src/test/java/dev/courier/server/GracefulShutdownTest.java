package dev.courier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.server.testing.TestClient;
import dev.courier.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/// Stopping the server while sends are in flight loses none that were answered `200`.
class GracefulShutdownTest {

    @Test
    void sendsAnswered200BeforeShutdownAreAllThereAfterRestart() throws Exception {
        try (TestServer server = new TestServer()) {
            var client = new TestClient(server.baseUrl());
            var alice = client.register("alice");
            var bob = client.register("bob");
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicBoolean stop = new AtomicBoolean();
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int t = 0; t < 8; t++) {
                    int thread = t;
                    pool.execute(() -> {
                        for (int i = 0; !stop.get(); i++) {
                            String text = thread + ":" + i;
                            try {
                                if (client.send(alice, text.getBytes(StandardCharsets.UTF_8), bob).status() == 200) {
                                    acknowledged.add(text);
                                }
                            } catch (RuntimeException e) {
                                return; // the server went away: this send was never acknowledged
                            }
                        }
                    });
                }
                while (acknowledged.size() < 200) Thread.sleep(10);
                server.server().close();
                stop.set(true);
            }
            server.restart();
            var reader = new TestClient(server.baseUrl());
            Set<String> stored = ConcurrentHashMap.newKeySet();
            while (true) {
                var page = reader.get("/v1/messages", bob).body().get("envelopes");
                if (page.isEmpty()) break;
                for (var e : page) {
                    stored.add(new String(java.util.Base64.getDecoder().decode(e.get("content").asText()), StandardCharsets.UTF_8));
                    reader.request("DELETE", "/v1/messages/" + e.get("guid").asText(), null, bob.authHeader());
                }
            }
            assertThat(stored).as("%d acknowledged, %d stored", acknowledged.size(), stored.size()).containsAll(acknowledged);
        }
    }
}
