package dev.courier.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.PendingMessagesResponse;
import dev.courier.server.testing.TestClient;
import dev.courier.server.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// Real clients talking through a real server: delivery, offline delivery and receipts.
class MessagingTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private TestServer server;
    private final List<CourierClient> clients = new ArrayList<>();

    @BeforeEach
    void startServer() {
        server = new TestServer();
    }

    @AfterEach
    void stop() {
        clients.forEach(CourierClient::close);
        server.close();
    }

    private CourierClient register(String name) {
        var c = Devices.register(dir, server.baseUrl(), name);
        clients.add(c);
        return c;
    }

    @Test
    void helloIsDeliveredAndDecryptedBetweenTwoClients() {
        var alice = register("alice");
        var bob = register("bob");
        var bobHears = Recorder.on(bob);
        var aliceHears = Recorder.on(alice);
        assertThat(bob.connect(WAIT)).isTrue();
        assertThat(alice.connect(WAIT)).isTrue();

        var sent = alice.send("bob", "Hello!");
        assertThat(sent.status()).isEqualTo(MessageStatus.PENDING);
        assertThat(sent.outgoing()).isTrue();
        assertThat(sent.peer()).isEqualTo(bob.whoami().accountId());

        Message got = bobHears.next();
        assertThat(got.id()).isEqualTo(sent.id());
        assertThat(got.body()).isEqualTo("Hello!");
        assertThat(got.peer()).isEqualTo(alice.whoami().accountId());
        assertThat(got.peerName()).isEqualTo("alice");
        assertThat(got.outgoing()).isFalse();
        assertThat(alice.awaitStatus(sent.id(), MessageStatus.DELIVERED, WAIT)).isEqualTo(MessageStatus.DELIVERED);

        var reply = bob.send("alice", "Hi alice, bob here.");
        Message back = aliceHears.next();
        assertThat(back.id()).isEqualTo(reply.id());
        assertThat(back.body()).isEqualTo("Hi alice, bob here.");
        assertThat(back.peerName()).isEqualTo("bob");

        assertThat(bob.history("alice", 10)).extracting(Message::body, Message::outgoing)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("Hello!", false),
                        org.assertj.core.groups.Tuple.tuple("Hi alice, bob here.", true));
        assertThat(alice.history("bob", 10)).extracting(Message::body).containsExactly("Hello!", "Hi alice, bob here.");
        assertThat(alice.safetyNumber("bob").digits()).hasSize(60).isEqualTo(bob.safetyNumber("alice").digits());
    }

    @Test
    void helloIsDeliveredAndDecryptedBetweenEveryPairOfThreeClients() {
        Map<String, CourierClient> byName = new HashMap<>();
        Map<String, Recorder> heard = new HashMap<>();
        for (String name : List.of("alice", "bob", "carol")) {
            var c = register(name);
            byName.put(name, c);
            heard.put(name, Recorder.on(c));
        }
        for (var c : byName.values()) assertThat(c.connect(WAIT)).isTrue();

        Map<String, Message> sent = new HashMap<>();
        for (String from : byName.keySet()) {
            for (String to : byName.keySet()) {
                if (from.equals(to)) continue;
                sent.put(from + ">" + to, byName.get(from).send(to, "Hello " + to + ", from " + from + "!"));
            }
        }
        for (String to : byName.keySet()) {
            var got = List.of(heard.get(to).next(), heard.get(to).next());
            for (String from : byName.keySet()) {
                if (from.equals(to)) continue;
                Message expected = sent.get(from + ">" + to);
                assertThat(got).filteredOn(m -> m.id().equals(expected.id())).singleElement().satisfies(m -> {
                    assertThat(m.body()).isEqualTo("Hello " + to + ", from " + from + "!");
                    assertThat(m.peerName()).isEqualTo(from);
                    assertThat(m.peer()).isEqualTo(byName.get(from).whoami().accountId());
                });
            }
        }
        for (var e : sent.entrySet()) {
            String from = e.getKey().split(">")[0];
            assertThat(byName.get(from).awaitStatus(e.getValue().id(), MessageStatus.DELIVERED, WAIT))
                    .as(e.getKey()).isEqualTo(MessageStatus.DELIVERED);
        }
        // Each pair shares one safety number, and the three pairs' numbers differ.
        var ab = byName.get("alice").safetyNumber("bob").digits();
        var ac = byName.get("alice").safetyNumber("carol").digits();
        var bc = byName.get("bob").safetyNumber("carol").digits();
        assertThat(byName.get("bob").safetyNumber("alice").digits()).isEqualTo(ab);
        assertThat(byName.get("carol").safetyNumber("alice").digits()).isEqualTo(ac);
        assertThat(byName.get("carol").safetyNumber("bob").digits()).isEqualTo(bc);
        assertThat(List.of(ab, ac, bc)).doesNotHaveDuplicates();
        assertThat(byName.get("carol").contacts()).extracting(Contact::username).containsExactlyInAnyOrder("alice", "bob");
    }

    @Test
    void aMessageToAnOfflineRecipientArrivesWhenTheRecipientConnects() throws Exception {
        var alice = register("alice");
        var bob = register("bob");
        var bobHears = Recorder.on(bob);
        alice.connect(WAIT);

        var first = alice.send("bob", "You were away: first");
        var second = alice.send("bob", "You were away: second");
        // The server holds them: SENT, but nobody has them yet.
        assertThat(alice.awaitStatus(second.id(), MessageStatus.SENT, WAIT)).isEqualTo(MessageStatus.SENT);
        assertThat(alice.awaitStatus(first.id(), MessageStatus.SENT, WAIT)).isEqualTo(MessageStatus.SENT);
        assertThat(bobHears.poll(Duration.ofMillis(300))).isNull();

        assertThat(bob.connect(WAIT)).as("the backlog arrives before queue_empty").isTrue();
        assertThat(bobHears.messages).extracting(Message::body).containsExactly("You were away: first", "You were away: second");
        // Stored, then acknowledged: the server's queue for Bob empties.
        var raw = new TestClient(server.baseUrl());
        var bobDevice = Devices.raw(dir.resolve("bob"));
        Awaitility.await().atMost(WAIT).until(() -> raw.get("/v1/messages", bobDevice).as(PendingMessagesResponse.class).envelopes().isEmpty());
        assertThat(alice.awaitStatus(first.id(), MessageStatus.DELIVERED, WAIT)).isEqualTo(MessageStatus.DELIVERED);
        assertThat(alice.awaitStatus(second.id(), MessageStatus.DELIVERED, WAIT)).isEqualTo(MessageStatus.DELIVERED);
    }

    @Test
    void deliveryAndReadReceiptsFlowBackToTheSender() {
        var alice = register("alice");
        var bob = register("bob");
        var aliceHears = Recorder.on(alice);
        var bobHears = Recorder.on(bob);
        alice.connect(WAIT);

        // Bob is offline at first, so SENT surely comes before DELIVERED.
        var sent = alice.send("bob", "Please confirm you read this.");
        assertThat(alice.awaitStatus(sent.id(), MessageStatus.SENT, WAIT)).isEqualTo(MessageStatus.SENT);
        assertThat(alice.history("bob", 1).getFirst().status()).isEqualTo(MessageStatus.SENT);

        bob.connect(WAIT);
        assertThat(bobHears.next().id()).isEqualTo(sent.id());
        assertThat(alice.awaitStatus(sent.id(), MessageStatus.DELIVERED, WAIT)).isEqualTo(MessageStatus.DELIVERED);
        assertThat(alice.history("bob", 1).getFirst().status()).isEqualTo(MessageStatus.DELIVERED);
        assertThat(bob.history("alice", 1).getFirst().status()).isEqualTo(MessageStatus.DELIVERED);

        bob.markRead("alice");
        assertThat(bob.history("alice", 1).getFirst().status()).isEqualTo(MessageStatus.READ);
        assertThat(alice.awaitStatus(sent.id(), MessageStatus.READ, WAIT)).isEqualTo(MessageStatus.READ);
        assertThat(alice.history("bob", 1).getFirst().status()).isEqualTo(MessageStatus.READ);
        assertThat(aliceHears.statusesOf(sent.id(), MessageStatus.READ))
                .containsExactly(MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ);

        // Reading again sends nothing new.
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> bob.pendingOutgoing() == 0);
        bob.markRead("alice");
        assertThat(bob.pendingOutgoing()).isZero();
        // Receipts are not messages: Alice's history and inbox hold only what was written.
        assertThat(aliceHears.messages).isEmpty();
        assertThat(alice.history("bob", 10)).hasSize(1);
    }
}
