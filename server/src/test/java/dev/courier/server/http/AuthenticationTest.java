package dev.courier.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.AddDeviceResponse;
import dev.courier.protocol.DeviceListResponse;
import dev.courier.protocol.Envelope;
import dev.courier.protocol.KeyCountResponse;
import dev.courier.server.testing.TestClient;
import dev.courier.server.testing.TestClient.Device;
import dev.courier.server.testing.TestKeys;
import dev.courier.server.testing.TestServer;
import dev.courier.server.testing.TestSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/// Who a request comes from: HTTP Basic with `<accountId>.<deviceId>:<credential>`, checked on
/// every authenticated endpoint and on the WebSocket upgrade, and never taken from a body.
class AuthenticationTest {
    private static TestServer server;
    private static TestClient client;
    private static final AtomicInteger names = new AtomicInteger();

    @BeforeAll
    static void start() {
        server = new TestServer();
        client = new TestClient(server.baseUrl());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Device newAccount() {
        return client.register("auth_" + names.incrementAndGet());
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /// A 401 that says why, as JSON `{code, message}`, and names the scheme to use.
    private static void assertUnauthorized(TestClient.Response response, String what) {
        assertThat(response.status()).as("status: %s", what).isEqualTo(401);
        assertThat(response.code()).as("code: %s", what).isEqualTo("unauthorized");
        assertThat(response.body().get("message").asText()).as("message: %s", what).isNotBlank();
        assertThat(response.headers().firstValue("Content-Type")).as("content type: %s", what)
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(response.headers().firstValue("WWW-Authenticate")).as("WWW-Authenticate: %s", what)
                .hasValueSatisfying(v -> assertThat(v).startsWithIgnoringCase("Basic"));
    }

    /// Every endpoint that acts for a device, with a body it would accept.
    private static Map<String, String[]> authenticatedEndpoints(Device target) {
        Map<String, String[]> e = new LinkedHashMap<>();
        e.put("GET /v1/devices", new String[] {"GET", "/v1/devices", null});
        e.put("POST /v1/devices", new String[] {"POST", "/v1/devices",
                json(new dev.courier.protocol.AddDeviceRequest(5, "x", TestKeys.device(1)))});
        e.put("DELETE /v1/devices/2", new String[] {"DELETE", "/v1/devices/2", null});
        e.put("PUT /v1/keys", new String[] {"PUT", "/v1/keys",
                json(new dev.courier.protocol.UploadKeysRequest(null, null, TestKeys.preKeys(100, 2), null))});
        e.put("GET /v1/keys/count", new String[] {"GET", "/v1/keys/count", null});
        e.put("GET /v1/keys/{recipient}", new String[] {"GET", "/v1/keys/" + target.username(), null});
        e.put("GET /v1/keys/{recipient}/{deviceId}", new String[] {"GET", "/v1/keys/" + target.accountId() + "/1", null});
        e.put("POST /v1/messages", new String[] {"POST", "/v1/messages", json(new dev.courier.protocol.SendMessageRequest(
                target.accountId().toString(), UUID.randomUUID(), System.currentTimeMillis(),
                List.of(new dev.courier.protocol.OutgoingMessage(1, target.registrationId(), 2, new byte[] {1, 2, 3}))))});
        e.put("GET /v1/messages", new String[] {"GET", "/v1/messages", null});
        e.put("DELETE /v1/messages/{guid}", new String[] {"DELETE", "/v1/messages/" + UUID.randomUUID(), null});
        return e;
    }

    private static String json(Object o) {
        try {
            return TestClient.JSON.writeValueAsString(o);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aValidCredentialAuthenticatesAsItsDevice() {
        var alice = newAccount();

        var response = client.get("/v1/devices", alice);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.as(DeviceListResponse.class).accountId()).isEqualTo(alice.accountId());
    }

    @Test
    void everyAuthenticatedEndpointRefusesARequestWithoutCredentialsWith401() {
        var target = newAccount();
        for (var e : authenticatedEndpoints(target).entrySet()) {
            String[] r = e.getValue();
            assertUnauthorized(client.request(r[0], r[1], r[2], null), e.getKey());
        }
        // Nothing those requests asked for happened.
        assertThat(client.get("/v1/messages", target).body().get("envelopes").size()).isZero();
        assertThat(client.get("/v1/keys/count", target).as(KeyCountResponse.class).preKeys()).isEqualTo(5);
    }

    @Test
    void everyAuthenticatedEndpointRefusesAWrongCredentialWith401() {
        var alice = newAccount();
        var target = newAccount();
        // Same shape as a real credential, but not the one the server issued.
        String wrong = TestClient.basic(alice.accountId() + ".1", Base64.getUrlEncoder().withoutPadding().encodeToString(TestKeys.random(32)));
        for (var e : authenticatedEndpoints(target).entrySet()) {
            String[] r = e.getValue();
            assertUnauthorized(client.request(r[0], r[1], r[2], wrong), e.getKey());
        }
        assertThat(client.get("/v1/messages", target).body().get("envelopes").size()).isZero();
        assertThat(client.get("/v1/keys/count", alice).as(KeyCountResponse.class).preKeys()).isEqualTo(5);
        assertThat(client.get("/v1/keys/count", target).as(KeyCountResponse.class).preKeys()).isEqualTo(5);
    }

    @Test
    void wrongCredentialsOfEveryKindAreRefusedWith401() {
        var alice = newAccount();
        var bob = newAccount();
        String id = alice.accountId().toString();
        String cred = alice.credential();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("one character changed", TestClient.basic(id + ".1", cred.substring(0, 42) + (cred.charAt(42) == 'A' ? 'B' : 'A')));
        headers.put("truncated credential", TestClient.basic(id + ".1", cred.substring(0, 42)));
        headers.put("credential with extra character", TestClient.basic(id + ".1", cred + "A"));
        headers.put("empty credential", TestClient.basic(id + ".1", ""));
        headers.put("another account's id", TestClient.basic(bob.accountId() + ".1", cred));
        headers.put("another account's credential", TestClient.basic(id + ".1", bob.credential()));
        headers.put("unknown account", TestClient.basic(UUID.randomUUID() + ".1", cred));
        headers.put("unknown device", TestClient.basic(id + ".2", cred));
        headers.put("device 0", TestClient.basic(id + ".0", cred));
        headers.put("admin-style bearer", "Bearer " + cred);
        for (var e : headers.entrySet()) {
            assertUnauthorized(client.request("GET", "/v1/devices", null, e.getValue()), e.getKey());
        }
    }

    @Test
    void malformedAuthorizationHeadersAreRefusedWith401() {
        var alice = newAccount();
        String id = alice.accountId().toString();
        String cred = alice.credential();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("empty", "");
        headers.put("scheme only", "Basic");
        headers.put("scheme and space", "Basic ");
        headers.put("unknown scheme", "Digest " + b64(id + ".1:" + cred));
        headers.put("not base64", "Basic !!!not-base64!!!");
        headers.put("raw, not base64", "Basic " + id + ".1:" + cred);
        headers.put("no colon", "Basic " + b64(id + ".1" + cred));
        headers.put("no device id", "Basic " + b64(id + ":" + cred));
        headers.put("empty device id", "Basic " + b64(id + ".:" + cred));
        headers.put("non-numeric device id", "Basic " + b64(id + ".one:" + cred));
        headers.put("device id overflow", "Basic " + b64(id + ".99999999999:" + cred));
        headers.put("not a UUID", "Basic " + b64("alice.1:" + cred));
        headers.put("username instead of UUID", "Basic " + b64(alice.username() + ".1:" + cred));
        headers.put("empty user", "Basic " + b64(":" + cred));
        for (var e : headers.entrySet()) {
            assertUnauthorized(client.request("GET", "/v1/devices", null, e.getValue()), e.getKey());
        }
        // The well-formed header works, so the refusals above are about their form.
        assertThat(client.request("GET", "/v1/devices", null, "Basic " + b64(id + ".1:" + cred)).status()).isEqualTo(200);
    }

    @Test
    void theSchemeNameIsCaseInsensitive() {
        var alice = newAccount();
        String encoded = b64(alice.accountId() + ".1:" + alice.credential());

        assertThat(client.request("GET", "/v1/devices", null, "basic " + encoded).status()).isEqualTo(200);
        assertThat(client.request("GET", "/v1/devices", null, "BASIC " + encoded).status()).isEqualTo(200);
    }

    @Test
    void aRemovedDevicesCredentialIsRefusedWith401() {
        var alice = newAccount();
        var second = client.addDevice(alice);
        assertThat(client.get("/v1/devices", second).status()).isEqualTo(200);

        assertThat(client.request("DELETE", "/v1/devices/2", null, alice.authHeader()).status()).isEqualTo(204);

        assertUnauthorized(client.get("/v1/devices", second), "removed device");
        assertUnauthorized(client.get("/v1/messages", second), "removed device");
        assertThat(client.get("/v1/devices", alice).status()).isEqualTo(200);
    }

    @Test
    void theWebSocketUpgradeNeedsValidCredentials() {
        var alice = newAccount();
        String wrong = TestClient.basic(alice.accountId() + ".1", Base64.getUrlEncoder().withoutPadding().encodeToString(TestKeys.random(32)));

        assertThat(TestSocket.upgradeStatus(server, null)).isEqualTo(401);
        assertThat(TestSocket.upgradeStatus(server, wrong)).isEqualTo(401);
        assertThat(TestSocket.upgradeStatus(server, "Basic not-base64")).isEqualTo(401);
        assertThat(TestSocket.upgradeStatus(server, TestClient.basic(UUID.randomUUID() + ".1", alice.credential()))).isEqualTo(401);
        assertThat(TestSocket.upgradeStatus(server, alice.authHeader())).isEqualTo(101);
    }

    @Test
    void aRefusedWebSocketUpgradeNamesTheBasicScheme() {
        var response = refusedUpgrade(null);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(v -> assertThat(v).startsWithIgnoringCase("Basic"));
    }

    /// The handshake response of an upgrade the server must refuse.
    private static HttpResponse<?> refusedUpgrade(String authorization) {
        var builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (authorization != null) builder.header("Authorization", authorization);
        WebSocket socket;
        try {
            socket = builder.buildAsync(URI.create(server.wsUrl()), new WebSocket.Listener() {}).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) return h.getResponse();
            throw e;
        }
        socket.abort();
        throw new AssertionError("the server accepted the upgrade");
    }

    @Test
    void aRemovedDeviceCannotOpenAWebSocket() {
        var alice = newAccount();
        var second = client.addDevice(alice);
        assertThat(TestSocket.upgradeStatus(server, second.authHeader())).isEqualTo(101);

        assertThat(client.request("DELETE", "/v1/devices/2", null, alice.authHeader()).status()).isEqualTo(204);

        assertThat(TestSocket.upgradeStatus(server, second.authHeader())).isEqualTo(401);
    }

    @Test
    void theSenderOfAMessageIsTheAuthenticatedDeviceWhateverTheBodySays() {
        var alice = newAccount();
        var aliceLaptop = client.addDevice(alice);
        var bob = newAccount();
        var mallory = newAccount();
        // Mallory's body claims to come from Alice's primary device, in every field name a
        // careless server might read.
        String body = """
                {"recipient":"%s","messageId":"%s","timestamp":%d,
                 "sourceAccount":"%s","sourceDevice":1,"sender":"%s","senderDevice":1,"accountId":"%s","deviceId":1,
                 "messages":[{"deviceId":1,"registrationId":%d,"type":2,"content":"%s",
                              "sourceAccount":"%s","sourceDevice":1}]}
                """.formatted(bob.username(), UUID.randomUUID(), System.currentTimeMillis(),
                alice.accountId(), alice.accountId(), alice.accountId(), bob.registrationId(),
                Base64.getEncoder().encodeToString("from mallory".getBytes(StandardCharsets.UTF_8)), alice.accountId());

        var sent = client.request("POST", "/v1/messages", body, mallory.authHeader());
        assertThat(sent.status()).isEqualTo(200);
        // And the same from a non-primary device of Alice's own account, claiming to be device 1.
        var fromLaptop = client.request("POST", "/v1/messages", body.replaceFirst("\"messageId\":\"[^\"]+\"", "\"messageId\":\"" + UUID.randomUUID() + "\""), aliceLaptop.authHeader());
        assertThat(fromLaptop.status()).isEqualTo(200);

        try (var socket = TestSocket.connect(server, bob)) {
            Envelope first = socket.nextEnvelope();
            Envelope second = socket.nextEnvelope();
            socket.expectQueueEmpty();
            assertThat(first.sourceAccount()).isEqualTo(mallory.accountId());
            assertThat(first.sourceDevice()).isEqualTo(1);
            assertThat(second.sourceAccount()).isEqualTo(alice.accountId());
            assertThat(second.sourceDevice()).isEqualTo(aliceLaptop.deviceId()).isEqualTo(2);
        }
    }

    @Test
    void aDeviceAddedWithABodyNamingAnotherAccountJoinsTheCallersAccount() {
        var alice = newAccount();
        var mallory = newAccount();
        String body = """
                {"accountId":"%s","username":"%s","registrationId":42,"deviceName":"sneaky","keys":%s}
                """.formatted(alice.accountId(), alice.username(), json(TestKeys.device(1)));

        var response = client.request("POST", "/v1/devices", body, mallory.authHeader());

        assertThat(response.status()).isEqualTo(200);
        var added = response.as(AddDeviceResponse.class);
        assertThat(added.accountId()).isEqualTo(mallory.accountId());
        assertThat(client.get("/v1/devices", alice).as(DeviceListResponse.class).devices()).hasSize(1);
        assertThat(client.get("/v1/devices", mallory).as(DeviceListResponse.class).devices()).hasSize(2);
        // The new credential is Mallory's device 2, not a way into Alice's account.
        assertThat(client.request("GET", "/v1/devices", null, TestClient.basic(alice.accountId() + ".2", added.credential())).status())
                .isEqualTo(401);
    }

    @Test
    void identityInTheQueryStringIsIgnored() {
        var alice = newAccount();
        var mallory = newAccount();

        var response = client.get("/v1/devices?accountId=" + alice.accountId() + "&deviceId=1", mallory);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.as(DeviceListResponse.class).accountId()).isEqualTo(mallory.accountId());
    }

    @Test
    void openEndpointsNeedNoCredentials() {
        // Registration and health are reachable without credentials (control for the 401s above).
        assertThat(client.request("GET", "/health", null, null).status()).isEqualTo(200);
        assertThat(newAccount().deviceId()).isEqualTo(1);
    }
}
