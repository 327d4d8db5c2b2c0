package dev.courier.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.server.testing.PushServiceReceiver;
import dev.courier.server.testing.TestServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/// The whole wake-up path with the SDK on both ends: Bob registers an endpoint at a local push
/// service, goes offline, Alice sends, the server pushes an encrypted wake-up, and Bob's SDK opens
/// it, connects and gets "Hello!".
class PushWakeUpTest {
    private Path dir;
    private TestServer server;
    private PushServiceReceiver pushService;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("clients");
        server = new TestServer(Map.of("push.allowHttpLoopback", "true"));
        pushService = new PushServiceReceiver();
    }

    @AfterEach
    void stop() {
        pushService.close();
        server.close();
        TestServer.deleteRecursively(dir);
    }

    @Test
    void anOfflineDeviceIsWokenAndDrainsItsQueue() throws Exception {
        var endpoint = pushService.newEndpoint();
        try (var bob = Devices.register(dir, server.baseUrl(), "bob")) {
            pushService.expectServerKey(bob.pushServerKey());
            var registration = bob.registerPush(endpoint.endpoint());
            assertThat(registration.endpoint()).isEqualTo(endpoint.endpoint());
            assertThat(bob.pushRegistration()).contains(registration);
        }
        // Bob is offline now.
        try (var alice = Devices.register(dir, server.baseUrl(), "alice")) {
            var sent = alice.send("bob", "Hello!");
            assertThat(alice.awaitStatus(sent.id(), MessageStatus.SENT, Duration.ofSeconds(10))).isEqualTo(MessageStatus.SENT);
        }

        var push = pushService.awaitReceived(1, Duration.ofSeconds(10)).getFirst();
        assertThat(pushService.rejections()).isEmpty();

        var inbox = new LinkedBlockingQueue<Message>();
        try (var bob = CourierClient.open(dir.resolve("bob"), new ClientListener() {
            @Override
            public void onMessage(Message m) {
                inbox.add(m);
            }
        })) {
            assertThat(bob.onPush(push.body(), Duration.ofSeconds(10))).isTrue();
            Message got = inbox.poll(10, TimeUnit.SECONDS);
            assertThat(got).isNotNull();
            assertThat(got.body()).isEqualTo("Hello!");
        }
    }

    @Test
    void aPushThatIsNotAWakeUpForThisDeviceIsRefused() throws Exception {
        try (var bob = Devices.register(dir, server.baseUrl(), "bob");
             var carol = Devices.register(dir, server.baseUrl(), "carol")) {
            assertThatThrownBy(() -> bob.checkPush(new byte[100]))
                    .isInstanceOf(CourierException.class).hasMessageContaining("not registered for push");

            pushService.expectServerKey(bob.pushServerKey());
            bob.registerPush(pushService.newEndpoint().endpoint());
            var carolsEndpoint = pushService.newEndpoint();
            carol.registerPush(carolsEndpoint.endpoint());
            try (var alice = Devices.register(dir, server.baseUrl(), "alice")) {
                alice.send("carol", "for carol");
                var carolsPush = pushService.awaitReceived(1, Duration.ofSeconds(10)).getFirst();
                assertThat(carolsPush.subscriptionId()).isEqualTo(carolsEndpoint.id());
                assertThatThrownBy(() -> bob.checkPush(carolsPush.body()))
                        .isInstanceOf(CourierException.class).hasMessageContaining("not for this device");
                carol.checkPush(carolsPush.body());
            }
            assertThatThrownBy(() -> bob.checkPush(new byte[100])).isInstanceOf(CourierException.class);
        }
    }

    @Test
    void aDeviceCanRemoveItsEndpointAndTheServerRefusesBadOnes() throws Exception {
        try (var bob = Devices.register(dir, server.baseUrl(), "bob")) {
            assertThat(bob.pushRegistration()).isEmpty();
            bob.registerPush(URI.create(pushService.newEndpoint().endpoint().toString()));
            assertThat(bob.pushRegistration()).isPresent();
            bob.unregisterPush();
            assertThat(bob.pushRegistration()).isEmpty();

            assertThatThrownBy(() -> bob.registerPush(URI.create("http://push.example.net/x")))
                    .isInstanceOf(CourierException.Refused.class).hasMessageContaining("https");
        }
    }
}
