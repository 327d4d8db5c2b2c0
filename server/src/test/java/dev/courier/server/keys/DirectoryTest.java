package dev.courier.server.keys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.server.testing.TestClient;
import dev.courier.server.testing.TestServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/// `GET /v1/directory/{recipient}` resolves names and IDs without spending keys.
class DirectoryTest {

    @Test
    void resolvesUsernameAndUuidWithoutSpendingKeys() {
        try (var server = new TestServer()) {
            var client = new TestClient(server.baseUrl());
            var alice = client.register("alice");
            var bob = client.register("bob");
            var before = client.get("/v1/keys/count", bob).body();
            var byName = client.get("/v1/directory/BOB", alice);
            assertThat(byName.status()).isEqualTo(200);
            assertThat(byName.body().get("accountId").asText()).isEqualTo(bob.accountId().toString());
            assertThat(byName.body().get("username").asText()).isEqualTo("bob");
            var byId = client.get("/v1/directory/" + bob.accountId(), alice);
            assertThat(byId.body().get("username").asText()).isEqualTo("bob");
            assertThat(client.get("/v1/keys/count", bob).body()).isEqualTo(before);
            assertThat(client.get("/v1/directory/nobody", alice).code()).isEqualTo("unknown_recipient");
            assertThat(client.get("/v1/directory/bob", null).status()).isEqualTo(401);
        }
    }

    @Test
    void lookupsAreRateLimitedPerAccount() {
        try (var server = new TestServer(Map.of("ratelimit.keyFetchPerAccount", "2/1h"))) {
            var client = new TestClient(server.baseUrl());
            var alice = client.register("alice");
            client.register("bob");
            assertThat(client.get("/v1/directory/bob", alice).status()).isEqualTo(200);
            assertThat(client.get("/v1/directory/bob", alice).status()).isEqualTo(200);
            var third = client.get("/v1/directory/bob", alice);
            assertThat(third.status()).isEqualTo(429);
            assertThat(third.headers().firstValue("Retry-After")).isPresent();
        }
    }
}
