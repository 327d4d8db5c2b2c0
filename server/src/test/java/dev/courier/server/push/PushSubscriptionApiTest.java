package dev.courier.server.push;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.PushSubscription;
import dev.courier.protocol.webpush.P256;
import dev.courier.server.testing.TestClient;
import dev.courier.server.testing.TestServer;
import java.security.interfaces.ECPublicKey;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/// `/v1/push`: registering, replacing, reading and removing a device's own subscription, and
/// every way a subscription can be refused.
class PushSubscriptionApiTest {
    private static final String PATH = "/v1/push/subscription";
    private TestServer server;
    private TestClient client;

    @BeforeEach
    void start() {
        // Production policy: https only.
        server = new TestServer(Map.of("push.allowHttpLoopback", "false"));
        client = new TestClient(server.baseUrl());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static PushSubscription valid(String endpoint) {
        byte[] point = P256.encodePoint((ECPublicKey) P256.generateKeyPair().getPublic());
        return new PushSubscription(endpoint, new PushSubscription.Keys(P256.base64Url(point), P256.base64Url(new byte[16])));
    }

    private TestClient.Response put(TestClient.Device device, Object body) {
        return client.request("PUT", PATH, body, device.authHeader());
    }

    @Test
    void aDeviceRegistersReadsReplacesAndRemovesItsSubscription() {
        var alice = client.register("alice");
        var first = valid("https://push.example.net/wpush/v2/abc");
        assertThat(put(alice, first).status()).isEqualTo(204);

        var read = client.get(PATH, alice);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.body().get("endpoint").asText()).isEqualTo(first.endpoint());
        assertThat(read.body().get("keys").get("p256dh").asText()).isEqualTo(first.keys().p256dh());
        assertThat(read.body().get("keys").get("auth").asText()).isEqualTo(first.keys().auth());

        var second = valid("https://ntfy.example.org/upXYZ?up=1");
        assertThat(put(alice, second).status()).isEqualTo(204);
        assertThat(client.get(PATH, alice).body().get("endpoint").asText()).isEqualTo(second.endpoint());

        assertThat(client.request("DELETE", PATH, null, alice.authHeader()).status()).isEqualTo(204);
        var gone = client.get(PATH, alice);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.code()).isEqualTo("no_push_subscription");
    }

    @Test
    void aBrowsersPushSubscriptionJsonIsAcceptedAsIs() {
        var alice = client.register("alice");
        var keys = valid("https://x").keys();
        String browserJson = "{\"endpoint\":\"https://fcm.googleapis.com/fcm/send/abc:def\",\"expirationTime\":null,"
                + "\"keys\":{\"p256dh\":\"" + keys.p256dh() + "\",\"auth\":\"" + keys.auth() + "\"}}";
        assertThat(put(alice, browserJson).status()).isEqualTo(204);
        assertThat(client.get(PATH, alice).body().get("endpoint").asText()).isEqualTo("https://fcm.googleapis.com/fcm/send/abc:def");
    }

    @Test
    void eachDeviceSeesOnlyItsOwnSubscription() {
        var alice = client.register("alice");
        var bob = client.register("bob");
        var aliceSecond = client.addDevice(alice);
        put(alice, valid("https://push.example.net/alice"));

        assertThat(client.get(PATH, bob).status()).isEqualTo(404);
        assertThat(client.get(PATH, aliceSecond).status()).isEqualTo(404);
        // Bob's DELETE touches only Bob's (absent) subscription.
        client.request("DELETE", PATH, null, bob.authHeader());
        assertThat(client.get(PATH, alice).status()).isEqualTo(200);
    }

    @Test
    void subscriptionsNeedCredentials() {
        var response = client.request("PUT", PATH, valid("https://push.example.net/x"), null);
        assertThat(response.status()).isEqualTo(401);
        assertThat(client.request("GET", PATH, null, null).status()).isEqualTo(401);
        assertThat(client.request("DELETE", PATH, null, null).status()).isEqualTo(401);
    }

    @Test
    void badEndpointsAreRefusedWithAReason() {
        var alice = client.register("alice");
        String[] refused = {
            "http://push.example.net/x",          // not https
            "http://127.0.0.1:9/x",               // loopback http, not allowed in production
            "https://127.0.0.1/x",                // the server's own host
            "https://localhost/x",
            "https://[::1]/x",
            "https://169.254.169.254/latest",     // link-local: cloud metadata services live there
            "https://0.0.0.0/x",
            "ftp://push.example.net/x",
            "push.example.net/x",                 // not absolute
            "https://user:pw@push.example.net/x", // credentials in the URL
            "https://push.example.net/x#frag",
            "https://push.example.net/" + "a".repeat(EndpointPolicy.MAX_LENGTH),
            "",
        };
        for (String endpoint : refused) {
            var response = put(alice, valid(endpoint));
            assertThat(response.status()).as(endpoint).isEqualTo(400);
            assertThat(response.code()).as(endpoint).isEqualTo("invalid_push_endpoint");
            assertThat(response.body().get("message").asText()).as(endpoint).isNotBlank();
        }
        assertThat(client.get(PATH, alice).status()).isEqualTo(404);
    }

    @Test
    void privateLanAddressesStayAllowedForSelfHostedDistributors() {
        var alice = client.register("alice");
        assertThat(put(alice, valid("https://192.168.1.10/up/abc")).status()).isEqualTo(204);
    }

    @Test
    void badKeysAreRefused() {
        var alice = client.register("alice");
        var good = valid("https://push.example.net/x");
        byte[] notOnCurve = new byte[65];
        notOnCurve[0] = 4;
        Object[] refused = {
            new PushSubscription(good.endpoint(), null),
            new PushSubscription(good.endpoint(), new PushSubscription.Keys(null, good.keys().auth())),
            new PushSubscription(good.endpoint(), new PushSubscription.Keys(good.keys().p256dh(), null)),
            new PushSubscription(good.endpoint(), new PushSubscription.Keys("not base64!", good.keys().auth())),
            new PushSubscription(good.endpoint(), new PushSubscription.Keys(P256.base64Url(new byte[33]), good.keys().auth())),
            new PushSubscription(good.endpoint(), new PushSubscription.Keys(P256.base64Url(notOnCurve), good.keys().auth())),
            new PushSubscription(good.endpoint(), new PushSubscription.Keys(good.keys().p256dh(), P256.base64Url(new byte[15]))),
            new PushSubscription(good.endpoint(), new PushSubscription.Keys("A".repeat(5000), good.keys().auth())),
        };
        for (Object body : refused) {
            var response = put(alice, body);
            assertThat(response.status()).as(String.valueOf(body)).isEqualTo(400);
            assertThat(response.code()).as(String.valueOf(body)).isEqualTo("invalid_push_subscription");
        }
    }

    @Test
    void malformedJsonIsA400() {
        var alice = client.register("alice");
        var response = client.request("PUT", PATH, "{not json", alice.authHeader());
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.code()).isNotBlank();
    }

    @Test
    void theVapidKeyIsPublicAndStableAcrossRestarts() {
        var first = client.request("GET", "/v1/push/vapid-key", null, null);
        assertThat(first.status()).isEqualTo(200);
        byte[] key = P256.fromBase64Url(first.body().get("publicKey").asText());
        assertThat(key).hasSize(65);
        P256.decodePoint(key);

        server.restart();
        var again = new TestClient(server.baseUrl()).request("GET", "/v1/push/vapid-key", null, null);
        assertThat(again.body().get("publicKey").asText()).isEqualTo(first.body().get("publicKey").asText());
    }

    @Test
    void withPushDisabledTheVapidKeyIsNotOffered() {
        try (var disabled = new TestServer(Map.of("push.enabled", "false"))) {
            var response = new TestClient(disabled.baseUrl()).request("GET", "/v1/push/vapid-key", null, null);
            assertThat(response.status()).isEqualTo(404);
            assertThat(response.code()).isEqualTo("push_disabled");
        }
    }
}
