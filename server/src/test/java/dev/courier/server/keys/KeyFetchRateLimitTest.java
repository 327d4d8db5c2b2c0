package dev.courier.server.keys;

import static dev.courier.server.keys.KeyFixtures.addDevice;
import static dev.courier.server.keys.KeyFixtures.count;
import static dev.courier.server.keys.KeyFixtures.deviceKeys;
import static dev.courier.server.keys.KeyFixtures.fetchRaw;
import static dev.courier.server.keys.KeyFixtures.oneTime;
import static dev.courier.server.keys.KeyFixtures.register;
import static dev.courier.server.keys.KeyFixtures.uploadOk;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.KeyCountResponse;
import dev.courier.server.testing.TestClient;
import dev.courier.server.testing.TestKeys;
import dev.courier.server.testing.TestServer;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/// `ratelimit.keyFetchPerAccount`: every bundle fetch spends the recipient's one-time keys, so a
/// fetching account gets only so many.
class KeyFetchRateLimitTest {
    private TestServer server;
    private TestClient client;

    private void start(String keyFetchPerAccount) {
        server = new TestServer(Map.of("ratelimit.keyFetchPerAccount", keyFetchPerAccount));
        client = new TestClient(server.baseUrl());
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    @Test
    void fetchBeyondTheLimitIsRateLimitedWithRetryAfterAndSpendsNoKeys() {
        start("3/1h");
        var alice = register(client, "alice", 10, 10);
        var bob = register(client, "bob", 0, 0);

        for (int i = 0; i < 3; i++) assertThat(fetchRaw(client, bob.device(), "alice").status()).isEqualTo(200);

        var refused = fetchRaw(client, bob.device(), "alice");
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.code()).isEqualTo("rate_limited");
        String retryAfter = refused.headers().firstValue("Retry-After").orElseThrow(() -> new AssertionError("no Retry-After header"));
        // One permit comes back every 20 minutes at 3/1h.
        assertThat(Long.parseLong(retryAfter)).isBetween(1100L, 1200L);

        // The single-device route shares the bucket, and refused fetches spend nothing.
        assertThat(fetchRaw(client, bob.device(), "alice/1").status()).isEqualTo(429);
        assertThat(count(client, alice.device())).isEqualTo(new KeyCountResponse(7, 7));
    }

    @Test
    void limitIsPerFetchingAccountSharedByItsDevices() {
        start("3/1h");
        register(client, "alice", 10, 10);
        var bob = register(client, "bob", 0, 0);
        var bobLaptop = addDevice(client, bob.device(), deviceKeys(0, 0));
        var carol = register(client, "carol", 0, 0);

        for (int i = 0; i < 3; i++) assertThat(fetchRaw(client, bob.device(), "alice").status()).isEqualTo(200);
        assertThat(fetchRaw(client, bob.device(), "alice").status()).isEqualTo(429);

        // Bob's other device draws on the same account bucket ...
        var fromLaptop = fetchRaw(client, bobLaptop.device(), "alice");
        assertThat(fromLaptop.status()).isEqualTo(429);
        assertThat(fromLaptop.code()).isEqualTo("rate_limited");
        // ... while another account has its own.
        assertThat(fetchRaw(client, carol.device(), "alice").status()).isEqualTo(200);
    }

    @Test
    void rateLimitedAccountCanStillPublishAndCountItsOwnKeys() {
        start("1/1h");
        register(client, "alice", 10, 10);
        var bob = register(client, "bob", 0, 0);
        assertThat(fetchRaw(client, bob.device(), "alice").status()).isEqualTo(200);
        assertThat(fetchRaw(client, bob.device(), "alice").status()).isEqualTo(429);

        uploadOk(client, bob.device(), oneTime(TestKeys.preKeys(1, 5), TestKeys.kyberKeys(1, 5)));
        assertThat(count(client, bob.device())).isEqualTo(new KeyCountResponse(5, 5));
    }

    @Test
    void fetchingWorksAgainOnceTheBucketRefills() throws InterruptedException {
        start("1/1s");
        register(client, "alice", 10, 10);
        var bob = register(client, "bob", 0, 0);
        assertThat(fetchRaw(client, bob.device(), "alice").status()).isEqualTo(200);
        var refused = fetchRaw(client, bob.device(), "alice");
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");

        Thread.sleep(1100);
        assertThat(fetchRaw(client, bob.device(), "alice").status()).isEqualTo(200);
    }
}
