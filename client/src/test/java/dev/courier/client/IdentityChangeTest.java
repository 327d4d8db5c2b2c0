package dev.courier.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.server.testing.TestClient;
import dev.courier.server.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.signal.libsignal.protocol.IdentityKeyPair;

/// Trust on first use: a contact whose identity key changes is reported, and sending to them is
/// held until the user accepts the new key.
class IdentityChangeTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private TestServer server;

    @BeforeEach
    void startServer() {
        server = new TestServer();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    /// Adds a device to `owner`'s account through the raw API, with real libsignal keys under a
    /// NEW identity key, and leaves a registered device store for it in `deviceDir`.
    private void addDeviceWithNewIdentity(Path ownerDir, Path deviceDir) {
        assertThat(Devices.addDevice(server.baseUrl(), ownerDir, deviceDir, IdentityKeyPair.generate())).isEqualTo(2);
    }

    @Test
    void anIdentityChangeIsDetectedAndSendingIsHeldUntilTrusted() {
        try (var alice = Devices.register(dir, server.baseUrl(), "alice");
             var bob = Devices.register(dir, server.baseUrl(), "bob")) {
            var aliceHears = Recorder.on(alice);
            var bobHears = Recorder.on(bob);
            alice.connect(WAIT);
            bob.connect(WAIT);
            var hello = alice.send("bob", "before the change");
            assertThat(bobHears.next().id()).isEqualTo(hello.id());
            bob.send("alice", "hi back");
            assertThat(aliceHears.next().body()).isEqualTo("hi back");
            String numberBefore = alice.safetyNumber("bob").digits();
            assertThat(bob.safetyNumber("alice").digits()).isEqualTo(numberBefore);
            assertThat(alice.identityChanged("bob")).isFalse();
            assertThat(aliceHears.identityChanges).isEmpty();

            addDeviceWithNewIdentity(dir.resolve("bob"), dir.resolve("bob-laptop"));

            // Alice's next send meets the new device (409), fetches its bundle, sees the new key.
            var held = alice.send("bob", "after the change");
            assertThat(alice.awaitStatus(held.id(), MessageStatus.UNTRUSTED, WAIT)).isEqualTo(MessageStatus.UNTRUSTED);
            assertThat(aliceHears.statusesOf(held.id(), MessageStatus.UNTRUSTED)).containsExactly(MessageStatus.UNTRUSTED);
            assertThat(aliceHears.identityChanges).containsExactly("bob");
            assertThat(alice.identityChanged("bob")).isTrue();
            assertThat(alice.contacts()).singleElement().satisfies(c -> {
                assertThat(c.username()).isEqualTo("bob");
                assertThat(c.identityChanged()).isTrue();
            });
            assertThat(alice.pendingOutgoing()).as("held, not dropped").isEqualTo(1);
            // Held means held: nothing reaches Bob, and it stays UNTRUSTED.
            assertThat(alice.awaitStatus(held.id(), MessageStatus.SENT, Duration.ofMillis(500))).isEqualTo(MessageStatus.UNTRUSTED);
            assertThat(bobHears.messages).hasSize(1);
            String numberAfter = alice.safetyNumber("bob").digits();
            assertThat(numberAfter).as("the safety number changed").hasSize(60).isNotEqualTo(numberBefore);

            alice.trust("bob");
            assertThat(alice.identityChanged("bob")).isFalse();
            assertThat(alice.contacts()).singleElement().satisfies(c -> assertThat(c.identityChanged()).isFalse());
            // SENT, or already DELIVERED: Bob is online.
            assertThat(alice.awaitStatus(held.id(), MessageStatus.SENT, WAIT)).isIn(MessageStatus.SENT, MessageStatus.DELIVERED);
            assertThat(alice.pendingOutgoing()).isZero();
            assertThat(alice.safetyNumber("bob").digits()).isEqualTo(numberAfter);

            // Both of Bob's devices get it.
            assertThat(bobHears.next().body()).isEqualTo("after the change");
            try (var laptop = CourierClient.open(dir.resolve("bob-laptop"))) {
                var laptopHears = Recorder.on(laptop);
                assertThat(laptop.connect(WAIT)).isTrue();
                assertThat(laptopHears.messages).extracting(Message::body).containsExactly("after the change");
                assertThat(laptop.safetyNumber("alice").digits()).isEqualTo(numberAfter);
            }
            assertThat(alice.awaitStatus(held.id(), MessageStatus.DELIVERED, WAIT)).isEqualTo(MessageStatus.DELIVERED);
            assertThat(aliceHears.statusesOf(held.id(), MessageStatus.DELIVERED))
                    .startsWith(MessageStatus.UNTRUSTED, MessageStatus.PENDING).endsWith(MessageStatus.DELIVERED);

            // Accepted once is accepted: later sends reach both devices without asking again.
            var later = alice.send("bob", "no questions this time");
            assertThat(alice.awaitStatus(later.id(), MessageStatus.DELIVERED, WAIT)).isEqualTo(MessageStatus.DELIVERED);
            assertThat(aliceHears.statusesOf(later.id(), MessageStatus.DELIVERED)).doesNotContain(MessageStatus.UNTRUSTED);
            assertThat(aliceHears.identityChanges).containsExactly("bob");
            assertThat(bobHears.next().body()).isEqualTo("no questions this time");
        }
    }

    @Test
    void aDeviceTheContactRemovedIsDroppedFromLaterSends() {
        try (var alice = Devices.register(dir, server.baseUrl(), "alice");
             var bob = Devices.register(dir, server.baseUrl(), "bob")) {
            var bobHears = Recorder.on(bob);
            alice.connect(WAIT);
            bob.connect(WAIT);
            alice.send("bob", "one device");
            assertThat(bobHears.next().body()).isEqualTo("one device");
            addDeviceWithNewIdentity(dir.resolve("bob"), dir.resolve("bob-laptop"));
            var two = alice.send("bob", "two devices");
            assertThat(alice.awaitStatus(two.id(), MessageStatus.UNTRUSTED, WAIT)).isEqualTo(MessageStatus.UNTRUSTED);
            alice.trust("bob");
            assertThat(bobHears.next().body()).isEqualTo("two devices");

            // Bob removes the laptop: Alice's next send meets 409 (an extra device) and drops its session.
            var r = new TestClient(server.baseUrl()).request("DELETE", "/v1/devices/2", null,
                    Devices.raw(dir.resolve("bob")).authHeader());
            assertThat(r.status()).isEqualTo(204);
            var afterRemoval = alice.send("bob", "just your phone now");
            assertThat(alice.awaitStatus(afterRemoval.id(), MessageStatus.DELIVERED, WAIT)).isEqualTo(MessageStatus.DELIVERED);
            assertThat(bobHears.next().body()).isEqualTo("just your phone now");
            assertThat(alice.identityChanged("bob")).isFalse();
        }
    }
}
