package dev.courier.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.courier.protocol.CreateRegistrationTokenRequest;
import dev.courier.protocol.EnvelopeType;
import dev.courier.protocol.OutgoingMessage;
import dev.courier.protocol.PushSubscription;
import dev.courier.protocol.RegisterAccountRequest;
import dev.courier.protocol.RegisterAccountResponse;
import dev.courier.protocol.RegistrationTokenResponse;
import dev.courier.protocol.SendMessageRequest;
import dev.courier.server.testing.PushServiceReceiver;
import dev.courier.server.testing.TestClient;
import dev.courier.server.testing.TestClient.Device;
import dev.courier.server.testing.TestKeys;
import dev.courier.server.testing.TestServer;
import dev.courier.server.testing.TestSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/// Credentials, tokens and message content never reach the log, even at DEBUG.
///
/// The server runs with the root logger at DEBUG (what `COURIER_LOG_LEVEL=DEBUG` gives an
/// operator) and everything logged while it starts, serves and stops is captured.
class SecretsNotLoggedTest {
    private static final String ADMIN_TOKEN = "admin-secret-" + UUID.randomUUID();
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private Logger root;
    private Level previousLevel;

    @BeforeEach
    void capture() {
        root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        previousLevel = root.getLevel();
        root.setLevel(Level.DEBUG);
        appender.setContext(root.getLoggerContext());
        appender.start();
        root.addAppender(appender);
    }

    @AfterEach
    void release() {
        root.detachAppender(appender);
        appender.stop();
        root.setLevel(previousLevel);
    }

    /// Every piece of text one captured event could put in a log line.
    private static String render(ILoggingEvent e) {
        StringBuilder sb = new StringBuilder();
        sb.append(e.getLoggerName()).append(' ').append(e.getLevel()).append(' ').append(e.getThreadName()).append(' ');
        sb.append(e.getMessage()).append(' ').append(e.getFormattedMessage()).append(' ');
        if (e.getArgumentArray() != null) sb.append(Arrays.deepToString(e.getArgumentArray())).append(' ');
        if (e.getMDCPropertyMap() != null) sb.append(e.getMDCPropertyMap()).append(' ');
        if (e.getKeyValuePairs() != null) sb.append(e.getKeyValuePairs()).append(' ');
        if (e.getThrowableProxy() != null) sb.append(ThrowableProxyUtil.asString(e.getThrowableProxy()));
        return sb.toString();
    }

    private List<String> captured() {
        synchronized (appender) {
            return new ArrayList<>(appender.list.stream().map(SecretsNotLoggedTest::render).toList());
        }
    }

    private static void addSecret(Map<String, String> secrets, String name, String value) {
        assertThat(value).isNotBlank();
        secrets.put(name, value);
    }

    private static void addContent(Map<String, String> secrets, String name, byte[] content) {
        secrets.put(name + " (text)", new String(content, StandardCharsets.UTF_8));
        secrets.put(name + " (base64)", Base64.getEncoder().encodeToString(content));
        secrets.put(name + " (base64 without padding)", Base64.getEncoder().withoutPadding().encodeToString(content));
        secrets.put(name + " (base64url)", Base64.getUrlEncoder().withoutPadding().encodeToString(content));
        secrets.put(name + " (hex)", HexFormat.of().formatHex(content));
        secrets.put(name + " (byte array)", Arrays.toString(content));
    }

    @Test
    void credentialsTokensAndMessageContentNeverAppearInTheLog() {
        Map<String, String> secrets = new LinkedHashMap<>();
        addSecret(secrets, "admin token", ADMIN_TOKEN);
        try (var server = new TestServer(Map.of("registration.policy", "token", "admin.token", ADMIN_TOKEN))) {
            var client = new TestClient(server.baseUrl());

            // Registration tokens, minted by the operator and spent by users.
            var minted = client.request("POST", "/v1/admin/registration-tokens", new CreateRegistrationTokenRequest(3, 3600L),
                    "Bearer " + ADMIN_TOKEN);
            assertThat(minted.status()).isEqualTo(200);
            String registrationToken = minted.as(RegistrationTokenResponse.class).token();
            addSecret(secrets, "registration token", registrationToken);
            // A wrong admin token, refused, is not logged either.
            assertThat(client.request("POST", "/v1/admin/registration-tokens", "{\"uses\":1}", "Bearer " + ADMIN_TOKEN + "-wrong")
                    .status()).isEqualTo(401);

            Device alice = client.register("alice", registrationToken);
            Device bob = client.register("bob", registrationToken);
            Device bobLaptop = client.addDevice(bob);
            for (Device d : List.of(alice, bob, bobLaptop)) {
                addSecret(secrets, "credential of " + d.accountId() + "." + d.deviceId(), d.credential());
                addSecret(secrets, "Authorization header of " + d.accountId() + "." + d.deviceId(), d.authHeader().substring(6));
            }
            // A registration refused for a taken name, with a valid token in its body.
            var clash = client.register(new RegisterAccountRequest("alice", 77, "x", registrationToken, TestKeys.device(1)));
            assertThat(clash.status()).isEqualTo(409);

            // Authenticated traffic, including refused attempts that carry the real credential.
            assertThat(client.get("/v1/devices", alice).status()).isEqualTo(200);
            assertThat(client.get("/v1/keys/count", bobLaptop).status()).isEqualTo(200);
            assertThat(client.get("/v1/keys/bob", alice).status()).isEqualTo(200);
            assertThat(client.request("GET", "/v1/devices", null, TestClient.basic(bob.accountId() + ".1", alice.credential())).status())
                    .isEqualTo(401);
            assertThat(client.request("GET", "/v1/devices", null, "Basic " + alice.accountId() + ".1:" + alice.credential()).status())
                    .isEqualTo(401);
            assertThat(client.request("GET", "/v1/devices", null, "Bearer " + bob.credential()).status()).isEqualTo(401);
            // (Whether this upgrade is refused is AuthenticationTest's business; here only the log counts.)
            TestSocket.upgradeStatus(server, TestClient.basic(alice.accountId() + ".2", alice.credential()));

            // A message, delivered live and by REST, and acknowledged both ways.
            byte[] content = ("PLAINTEXT-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
            addContent(secrets, "message content", content);
            try (var socket = TestSocket.connect(server, bob)) {
                socket.expectQueueEmpty();
                assertThat(client.send(alice, content, bob, bobLaptop).status()).isEqualTo(200);
                var envelope = socket.nextEnvelope();
                assertThat(envelope.content()).isEqualTo(content);
                socket.ack(envelope.guid());
            }
            var pending = client.get("/v1/messages", bobLaptop);
            assertThat(pending.body().get("envelopes")).hasSize(1);
            UUID laptopCopy = UUID.fromString(pending.body().get("envelopes").get(0).get("guid").asText());
            assertThat(client.request("DELETE", "/v1/messages/" + laptopCopy, null, bobLaptop.authHeader()).status()).isEqualTo(204);

            // Refused sends that carry content: mismatched devices, a bad type, and broken JSON.
            byte[] refusedContent = ("REFUSED-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
            addContent(secrets, "refused content", refusedContent);
            assertThat(client.send(alice, refusedContent, bob).status()).isEqualTo(409);
            assertThat(client.send(alice, "bob", UUID.randomUUID(), List.of(
                    new OutgoingMessage(1, bob.registrationId(), 99, refusedContent),
                    new OutgoingMessage(2, bobLaptop.registrationId(), EnvelopeType.CIPHERTEXT, refusedContent))).status())
                    .isEqualTo(400);
            String broken = "{\"recipient\":\"bob\",\"messages\":[{\"content\":\"" + Base64.getEncoder().encodeToString(refusedContent)
                    + "\" " + new String(refusedContent, StandardCharsets.UTF_8);
            assertThat(client.request("POST", "/v1/messages", broken, alice.authHeader()).status()).isEqualTo(400);
            String wrongTypes = "{\"recipient\":\"bob\",\"messageId\":\"" + new String(refusedContent, StandardCharsets.UTF_8)
                    + "\",\"timestamp\":1,\"messages\":[]}";
            assertThat(client.request("POST", "/v1/messages", wrongTypes, alice.authHeader()).status()).isEqualTo(400);
            assertThat(client.post("/v1/messages", new SendMessageRequest("bob", UUID.randomUUID(), System.currentTimeMillis(),
                    List.of(new OutgoingMessage(1, bob.registrationId(), EnvelopeType.CIPHERTEXT, refusedContent))), null).status())
                    .isEqualTo(401);

            // The socket is closed for a removed device, which is logged as little as the rest.
            try (var socket = TestSocket.connect(server, bobLaptop)) {
                socket.expectQueueEmpty();
                assertThat(client.request("DELETE", "/v1/devices/2", null, bob.authHeader()).status()).isEqualTo(204);
                assertThat(socket.awaitClose(Duration.ofSeconds(5))).isEqualTo(4001);
            }
        }

        List<String> lines = captured();
        // The capture works: the server logged while it ran, including DEBUG request lines.
        assertThat(lines).anyMatch(l -> l.contains("Courier listening"));
        assertThat(lines).anyMatch(l -> l.contains("/v1/accounts") && l.contains("200"));
        assertThat(lines).anyMatch(l -> l.contains("/v1/messages") && l.contains("409"));
        for (var secret : secrets.entrySet()) {
            List<String> leaking = lines.stream().filter(l -> l.contains(secret.getValue())).toList();
            assertThat(leaking).as("log lines containing the %s", secret.getKey()).isEmpty();
        }
    }

    @Test
    void pushEndpointsAndKeysNeverAppearInTheLog() throws Exception {
        Map<String, String> secrets = new LinkedHashMap<>();
        try (var pushService = new PushServiceReceiver();
             var server = new TestServer(Map.of("push.allowHttpLoopback", "true"))) {
            var client = new TestClient(server.baseUrl());
            Device alice = client.register("alice");
            Device bob = client.register("bob");
            Device carol = client.register("carol");
            for (Device d : List.of(bob, carol)) {
                var sub = pushService.newSubscription();
                addSecret(secrets, "endpoint path of " + d.username(), sub.endpoint().getPath());
                addSecret(secrets, "push auth secret of " + d.username(), sub.auth());
                assertThat(client.request("PUT", "/v1/push/subscription", new PushSubscription(sub.endpoint().toString(),
                        new PushSubscription.Keys(sub.p256dh(), sub.auth())), d.authHeader()).status()).isEqualTo(204);
                if (d == carol) pushService.setMode(sub.id(), PushServiceReceiver.Mode.GONE);
            }
            // One wake-up accepted, one pruned (which is logged); and a refused endpoint.
            client.send(alice, "x".getBytes(StandardCharsets.UTF_8), bob);
            client.send(alice, "x".getBytes(StandardCharsets.UTF_8), carol);
            pushService.awaitReceived(1, Duration.ofSeconds(10));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> client.get("/v1/push/subscription", carol).status() == 404);
            String refused = "https://user:pw-" + UUID.randomUUID() + "@push.example.net/secret";
            addSecret(secrets, "refused endpoint", refused);
            client.request("PUT", "/v1/push/subscription", new PushSubscription(refused,
                    new PushSubscription.Keys("x", "y")), alice.authHeader());
        }
        List<String> lines = captured();
        assertThat(lines).anyMatch(l -> l.contains("push subscription of device") && l.contains("removed"));
        for (var secret : secrets.entrySet()) {
            List<String> leaking = lines.stream().filter(l -> l.contains(secret.getValue())).toList();
            assertThat(leaking).as("log lines containing the %s", secret.getKey()).isEmpty();
        }
    }
}
