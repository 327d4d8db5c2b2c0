package dev.courier.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.server.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// A message the recipient never fetched expires on the server, and the sender hears of it.
class MessageExpiryTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void aMessageNeverFetchedBecomesExpiredForItsSender() {
        // A long interval: the test drives the reaper itself after moving the clock.
        try (var server = new TestServer(Map.of("messages.ttl", "2d", "messages.expiryInterval", "1h"));
             var alice = Devices.register(dir, server.baseUrl(), "alice");
             var bob = Devices.register(dir, server.baseUrl(), "bob")) {
            var aliceHears = Recorder.on(alice);
            alice.connect(WAIT);
            var lost = alice.send("bob", "you will never read this");
            assertThat(alice.awaitStatus(lost.id(), MessageStatus.SENT, WAIT)).isEqualTo(MessageStatus.SENT);

            server.clock().advance(Duration.ofDays(3));
            assertThat(server.server().expiryReaper().reapNow()).isPositive();

            assertThat(alice.awaitStatus(lost.id(), MessageStatus.EXPIRED, WAIT)).isEqualTo(MessageStatus.EXPIRED);
            assertThat(aliceHears.statusesOf(lost.id(), MessageStatus.EXPIRED)).endsWith(MessageStatus.EXPIRED);
            assertThat(alice.history("bob", 1).getFirst().status()).isEqualTo(MessageStatus.EXPIRED);

            // Bob connects later and finds nothing.
            var bobHears = Recorder.on(bob);
            assertThat(bob.connect(WAIT)).isTrue();
            assertThat(bobHears.messages).isEmpty();
            assertThat(bob.undecryptableCount()).isZero();
        }
    }
}
