package dev.courier.server.push;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.PushSubscription;
import dev.courier.protocol.WakeUp;
import dev.courier.server.testing.PushServiceReceiver;
import dev.courier.server.testing.PushServiceReceiver.Mode;
import dev.courier.server.testing.TestClient;
import dev.courier.server.testing.TestServer;
import dev.courier.server.testing.TestSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/// Offline devices are woken through a real (local) RFC 8030 push service, which checks the VAPID
/// JWT and decrypts every push with the subscription's private key.
class WakeUpTest {
    private static final Duration COALESCE = Duration.ofSeconds(30);
    private PushServiceReceiver receiver;
    private TestServer server;
    private TestClient client;

    @BeforeEach
    void start() {
        receiver = new PushServiceReceiver();
        server = new TestServer(Map.of("push.allowHttpLoopback", "true", "push.coalesceInterval", COALESCE.toSeconds() + "s",
                "push.timeout", "2s", "push.maxConcurrency", "4", "push.contact", "mailto:ops@courier.test"));
        client = new TestClient(server.baseUrl());
        receiver.expectServerKey(client.request("GET", "/v1/push/vapid-key", null, null).body().get("publicKey").asText());
    }

    @AfterEach
    void stop() {
        server.close();
        receiver.close();
    }

    private PushServiceReceiver.Subscription subscribe(TestClient.Device device) {
        var sub = receiver.newSubscription();
        var body = new PushSubscription(sub.endpoint().toString(), new PushSubscription.Keys(sub.p256dh(), sub.auth()));
        assertThat(client.request("PUT", "/v1/push/subscription", body, device.authHeader()).status()).isEqualTo(204);
        return sub;
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private double metric(String name) {
        var counter = server.server().metrics().find(name).counter();
        return counter == null ? 0 : counter.count();
    }

    private void awaitMetric(String name, double value) {
        Awaitility.await().atMost(5, TimeUnit.SECONDS).untilAsserted(() -> assertThat(metric(name)).isEqualTo(value));
    }

    private int connections() {
        return client.request("GET", "/health", null, null).body().get("connections").asInt();
    }

    @Test
    void anOfflineDeviceIsWokenWithAContentFreePushAndGetsTheMessageOnConnect() throws Exception {
        var alice = client.register("alice");
        var bob = client.register("bob");
        var sub = subscribe(bob);

        assertThat(client.send(alice, text("Hello!"), bob).status()).isEqualTo(200);

        var push = receiver.awaitReceived(1, Duration.ofSeconds(10)).getFirst();
        assertThat(push.subscriptionId()).isEqualTo(sub.id());
        // The decrypted payload is the fixed wake-up: no sender, no message, no content.
        assertThat(WakeUp.isWakeUp(push.plaintext())).isTrue();
        assertThat(push.text()).doesNotContain(alice.accountId().toString()).doesNotContain("alice").doesNotContain("Hello");
        assertThat(push.ttl()).isEqualTo(Duration.ofDays(1));
        assertThat(push.urgency()).contains("high");
        assertThat(receiver.rejections()).isEmpty();

        try (var socket = TestSocket.connect(server, bob)) {
            var envelope = socket.nextEnvelope();
            assertThat(TestSocket.text(envelope)).isEqualTo("Hello!");
            socket.ack(envelope.guid());
            socket.expectQueueEmpty();
        }
        awaitMetric("courier.push.sent", 1.0);
    }

    @Test
    void anOnlineDeviceGetsNoPush() throws Exception {
        var alice = client.register("alice");
        var bob = client.register("bob");
        subscribe(bob);
        try (var socket = TestSocket.connect(server, bob)) {
            socket.expectQueueEmpty();
            for (int i = 0; i < 5; i++) {
                assertThat(client.send(alice, text("m" + i), bob).status()).isEqualTo(200);
                socket.ack(socket.nextEnvelope().guid());
            }
        }
        // A device that is offline again is woken, so the push path is live: the silence above
        // was because Bob was online.
        Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> connections() == 0);
        assertThat(client.send(alice, text("later"), bob).status()).isEqualTo(200);
        receiver.awaitReceived(1, Duration.ofSeconds(10));
        assertThat(receiver.requestCount()).isEqualTo(1);
    }

    @Test
    void aBurstOfOneHundredMessagesCausesOnePushPerInterval() throws Exception {
        var alice = client.register("alice");
        var bob = client.register("bob");
        subscribe(bob);

        for (int i = 0; i < 100; i++) assertThat(client.send(alice, text("m" + i), bob).status()).isEqualTo(200);
        receiver.awaitReceived(1, Duration.ofSeconds(10));
        Thread.sleep(500); // a second push, if one were coming, would have had time to arrive
        assertThat(receiver.requestCount()).isEqualTo(1);
        assertThat(metric("courier.push.coalesced")).isEqualTo(99.0);

        // The next interval: one more wake-up, in case the first was lost.
        server.clock().advance(COALESCE.plusSeconds(1));
        for (int i = 0; i < 10; i++) assertThat(client.send(alice, text("n" + i), bob).status()).isEqualTo(200);
        receiver.awaitReceived(2, Duration.ofSeconds(10));
        Thread.sleep(500);
        assertThat(receiver.requestCount()).isEqualTo(2);
    }

    @Test
    void aDeviceThatConnectedIsWokenAgainAtOnceForItsNextMessage() throws Exception {
        var alice = client.register("alice");
        var bob = client.register("bob");
        subscribe(bob);
        client.send(alice, text("first"), bob);
        receiver.awaitReceived(1, Duration.ofSeconds(10));

        try (var socket = TestSocket.connect(server, bob)) {
            socket.ack(socket.nextEnvelope().guid());
            socket.expectQueueEmpty();
        }
        Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> connections() == 0);

        // Well within the coalescing interval, but Bob has been and gone: this needs a new wake-up.
        client.send(alice, text("second"), bob);
        receiver.awaitReceived(2, Duration.ofSeconds(10));
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"GONE", "NOT_FOUND"})
    void aGoneOrNotFoundAnswerPrunesTheSubscription(Mode answer) throws Exception {
        var alice = client.register("alice");
        var bob = client.register("bob");
        var sub = subscribe(bob);
        receiver.setMode(sub.id(), answer);

        client.send(alice, text("Hello!"), bob);

        Awaitility.await().atMost(10, TimeUnit.SECONDS)
                .until(() -> client.get("/v1/push/subscription", bob).status() == 404);
        awaitMetric("courier.push.pruned", 1.0);
        // The message itself is untouched: it waits for Bob.
        try (var socket = TestSocket.connect(server, bob)) {
            assertThat(TestSocket.text(socket.nextEnvelope())).isEqualTo("Hello!");
        }
    }

    @Test
    void aTransientFailureIsRetried() throws Exception {
        var alice = client.register("alice");
        var bob = client.register("bob");
        var sub = subscribe(bob);
        receiver.setMode(sub.id(), Mode.SERVER_ERROR);

        client.send(alice, text("Hello!"), bob);
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> receiver.requestCount() >= 1);
        receiver.setMode(sub.id(), Mode.ACCEPT);

        receiver.awaitReceived(1, Duration.ofSeconds(10));
        assertThat(metric("courier.push.retried")).isGreaterThanOrEqualTo(1.0);
        // Counted once the push service's answer is back, a moment after it recorded the push.
        awaitMetric("courier.push.sent", 1.0);
    }

    @Test
    void aHangingPushServiceDoesNotSlowSendsToOtherDevices() throws Exception {
        var alice = client.register("alice");
        var stuck = new ArrayList<TestClient.Device>();
        // More hanging subscriptions than push workers, so every worker is stuck at once.
        for (int i = 0; i < 8; i++) {
            var device = client.register("stuck" + i);
            receiver.setMode(subscribe(device).id(), Mode.HANG);
            stuck.add(device);
        }
        for (var device : stuck) assertThat(client.send(alice, text("hi"), device).status()).isEqualTo(200);
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> receiver.requestCount() >= 4);

        // Sends to other devices are not held up by the stuck pushes.
        var carol = client.register("carol");
        subscribe(carol);
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            long t0 = System.nanoTime();
            assertThat(client.send(alice, text("m" + i), carol).status()).isEqualTo(200);
            millis.add((System.nanoTime() - t0) / 1_000_000);
        }
        assertThat(millis).allSatisfy(ms -> assertThat(ms).isLessThan(1_000));
        // And Carol's wake-up gets through once the stuck requests time out (push.timeout = 2 s).
        var received = receiver.awaitReceived(1, Duration.ofSeconds(20));
        assertThat(received).anySatisfy(p -> assertThat(WakeUp.isWakeUp(p.plaintext())).isTrue());
    }

    @Test
    void wakeUpsBeyondTheQueueAreDroppedAndCountedWithoutHoldingUpSends() throws Exception {
        try (var small = new TestServer(Map.of("push.allowHttpLoopback", "true", "push.timeout", "5s",
                "push.maxConcurrency", "1", "push.queueCapacity", "1"))) {
            var smallClient = new TestClient(small.baseUrl());
            var alice = smallClient.register("alice");
            List<TestClient.Device> offline = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                var device = smallClient.register("device" + i);
                var sub = receiver.newSubscription();
                receiver.setMode(sub.id(), Mode.HANG);
                assertThat(smallClient.request("PUT", "/v1/push/subscription", new PushSubscription(sub.endpoint().toString(),
                        new PushSubscription.Keys(sub.p256dh(), sub.auth())), device.authHeader()).status()).isEqualTo(204);
                offline.add(device);
            }
            // One wake-up hangs in the only worker, one waits in the queue of one; the rest are dropped.
            for (var device : offline) {
                long t0 = System.nanoTime();
                assertThat(smallClient.send(alice, text("hi"), device).status()).isEqualTo(200);
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
            }
            Awaitility.await().atMost(5, TimeUnit.SECONDS).untilAsserted(() ->
                    assertThat(small.server().metrics().find("courier.push.dropped").counter().count()).isGreaterThanOrEqualTo(2.0));
            // The messages themselves are stored, whatever happened to their wake-ups.
            for (var device : offline) {
                assertThat(smallClient.get("/v1/messages", device).body().get("envelopes")).hasSize(1);
            }
        }
    }
}
