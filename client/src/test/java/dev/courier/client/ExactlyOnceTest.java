package dev.courier.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.client.internal.content.Content;
import dev.courier.client.internal.content.ContentCodec;
import dev.courier.protocol.Envelope;
import dev.courier.protocol.PendingMessagesResponse;
import dev.courier.server.testing.TestClient;
import dev.courier.server.testing.TestServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// The server delivers at least once; the client shows each message exactly once.
class ExactlyOnceTest {
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

    @Test
    void aMessageRedeliveredAfterALostAckIsShownOnce() throws Exception {
        try (var proxy = new TcpProxy(server.port());
             var alice = Devices.register(dir, server.baseUrl(), "alice");
             var bob = CourierClient.register(dir.resolve("bob"), URI.create(proxy.baseUrl()), "bob", null)) {
            var raw = new TestClient(server.baseUrl());
            var bobDevice = Devices.raw(dir.resolve("bob"));
            var bobHears = Recorder.on(bob);
            assertThat(bob.connect(WAIT)).isTrue();
            alice.connect(WAIT);

            // Bob's acks on this connection are lost from now on.
            assertThat(proxy.blackholeWebSocketUpstream()).isEqualTo(1);
            var sent = alice.send("bob", "exactly once, please");
            Message first = bobHears.next();
            assertThat(first.id()).isEqualTo(sent.id());
            assertThat(bob.history("alice", 10)).hasSize(1);
            // The server did not get the ack: the envelope still waits in Bob's queue.
            List<Envelope> unacked = pending(raw, bobDevice);
            assertThat(unacked).hasSize(1);

            // The connection breaks; Bob reconnects and the server delivers the envelope again.
            int emptiesBefore = bobHears.queueEmpties.get();
            proxy.cutBlackholed();
            Awaitility.await().atMost(WAIT).until(() -> bobHears.queueEmpties.get() > emptiesBefore);
            Awaitility.await().atMost(WAIT).until(() -> pending(raw, bobDevice).isEmpty());

            assertThat(bobHears.messages).as("onMessage fired once").hasSize(1);
            assertThat(bob.history("alice", 10)).as("stored once").extracting(Message::id).containsExactly(sent.id());
            assertThat(bob.undecryptableCount()).as("a repeat is no error").isZero();
            assertThat(alice.awaitStatus(sent.id(), MessageStatus.DELIVERED, WAIT)).isEqualTo(MessageStatus.DELIVERED);

            // The session is intact: the next message arrives normally.
            alice.send("bob", "and the next one");
            assertThat(bobHears.next().body()).isEqualTo("and the next one");
            assertThat(bobHears.messages).hasSize(2);
        }
    }

    @Test
    void aTextRepeatedWithTheSameMessageIdIsStoredOnce() throws Exception {
        var bob = Devices.register(dir, server.baseUrl(), "bob");
        try (bob) {
            var bobHears = Recorder.on(bob);
            bob.connect(WAIT);
            try (var alice = Devices.register(dir, server.baseUrl(), "alice")) {
                alice.send("bob", "a first message, to start the session");
                assertThat(bobHears.next().body()).isEqualTo("a first message, to start the session");
            }
            UUID bobId = bob.whoami().accountId();
            var raw = new TestClient(server.baseUrl());
            var bobDevice = Devices.raw(dir.resolve("bob"));
            try (var alice = new RawSender(dir.resolve("alice"), server.baseUrl())) {
                UUID aliceId = alice.device().accountId();
                UUID messageId = UUID.randomUUID();
                byte[] text = ContentCodec.encode(Content.text(messageId, aliceId, bobId, System.currentTimeMillis(), "said twice"));
                // The same text encrypted twice (two ratchet steps), sent as two separate sends...
                assertThat(alice.post(bobId, alice.encrypt(bobId, 1, text)).status()).isEqualTo(200);
                assertThat(alice.post(bobId, alice.encrypt(bobId, 1, text)).status()).isEqualTo(200);
                // ...and one ciphertext posted twice under two send IDs (the server cannot tell).
                byte[] again = ContentCodec.encode(Content.text(UUID.randomUUID(), aliceId, bobId, System.currentTimeMillis(), "echo"));
                var echo = alice.encrypt(bobId, 1, again);
                assertThat(alice.post(bobId, echo).status()).isEqualTo(200);
                assertThat(alice.post(bobId, echo).status()).isEqualTo(200);
                byte[] last = ContentCodec.encode(Content.text(UUID.randomUUID(), aliceId, bobId, System.currentTimeMillis(), "the end"));
                assertThat(alice.post(bobId, alice.encrypt(bobId, 1, last)).status()).isEqualTo(200);

                assertThat(bobHears.next().body()).isEqualTo("said twice");
                assertThat(bobHears.next().body()).isEqualTo("echo");
                assertThat(bobHears.next().body()).isEqualTo("the end");
                Awaitility.await().atMost(WAIT).until(() -> pending(raw, bobDevice).isEmpty());
                assertThat(bobHears.messages).extracting(Message::body)
                        .containsExactly("a first message, to start the session", "said twice", "echo", "the end");
                assertThat(bob.history("alice", 10)).extracting(Message::body)
                        .containsExactly("a first message, to start the session", "said twice", "echo", "the end");
                assertThat(bob.history("alice", 10)).filteredOn(m -> m.id().equals(messageId)).hasSize(1);
                assertThat(bob.undecryptableCount()).isZero();
            }
        }
    }

    private static List<Envelope> pending(TestClient raw, TestClient.Device device) {
        var r = raw.get("/v1/messages", device);
        assertThat(r.status()).isEqualTo(200);
        return r.as(PendingMessagesResponse.class).envelopes();
    }
}
