package dev.courier.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.server.CourierServer;
import dev.courier.server.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// The outbox is durable: what was queued while the server was down leaves once it is back,
/// even when the client was closed and reopened in between.
class OutboxRestartTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void aClientRestartedWithAPendingOutboxStillSends() {
        var server = new TestServer();
        int port = server.port();
        CourierServer revived = null;
        CourierClient alice = Devices.register(dir, server.baseUrl(), "alice");
        CourierClient bob = Devices.register(dir, server.baseUrl(), "bob");
        try {
            // Alice knows Bob.
            var hello = alice.send("bob", "before the outage");
            assertThat(alice.awaitStatus(hello.id(), MessageStatus.SENT, WAIT)).isEqualTo(MessageStatus.SENT);

            server.server().close();
            var queued1 = alice.send("bob", "queued while the server was down, 1");
            var queued2 = alice.send("bob", "queued while the server was down, 2");
            assertThat(queued1.status()).isEqualTo(MessageStatus.PENDING);
            assertThat(alice.awaitStatus(queued2.id(), MessageStatus.SENT, Duration.ofMillis(700))).isEqualTo(MessageStatus.PENDING);
            assertThat(alice.pendingOutgoing()).isEqualTo(2);
            alice.close();
            alice = null;

            // The server comes back on the same port with the same data.
            revived = CourierServer.start(TestServer.configFor(server.dataDir(), port, Map.of()), server.clock());
            var aliceHears = new Recorder();
            alice = CourierClient.open(dir.resolve("alice"), aliceHears);
            assertThat(alice.history("bob", 10)).extracting(Message::body).containsExactly("before the outage",
                    "queued while the server was down, 1", "queued while the server was down, 2");

            // No connect: the outbox works as soon as the client is open.
            assertThat(alice.awaitStatus(queued1.id(), MessageStatus.SENT, WAIT)).isEqualTo(MessageStatus.SENT);
            assertThat(alice.awaitStatus(queued2.id(), MessageStatus.SENT, WAIT)).isEqualTo(MessageStatus.SENT);
            assertThat(alice.pendingOutgoing()).isZero();

            var bobHears = Recorder.on(bob);
            assertThat(bob.connect(WAIT)).isTrue();
            assertThat(bobHears.messages).extracting(Message::body).containsExactly("before the outage",
                    "queued while the server was down, 1", "queued while the server was down, 2");
            assertThat(bobHears.messages).extracting(Message::id).containsExactly(hello.id(), queued1.id(), queued2.id());

            alice.connect(WAIT);
            assertThat(alice.awaitStatus(queued2.id(), MessageStatus.DELIVERED, WAIT)).isEqualTo(MessageStatus.DELIVERED);
            // The listener given to open() was in place before the outbox started: it heard SENT too.
            assertThat(aliceHears.statusesOf(queued1.id())).contains(MessageStatus.SENT);
            assertThat(aliceHears.statusesOf(queued2.id(), MessageStatus.DELIVERED)).endsWith(MessageStatus.DELIVERED);
        } finally {
            if (alice != null) alice.close();
            bob.close();
            if (revived != null) revived.close();
            server.close();
        }
    }
}
