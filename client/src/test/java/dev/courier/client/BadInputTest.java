package dev.courier.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.client.internal.content.Content;
import dev.courier.client.internal.content.ContentCodec;
import dev.courier.protocol.EnvelopeType;
import dev.courier.protocol.OutgoingMessage;
import dev.courier.protocol.PendingMessagesResponse;
import dev.courier.server.testing.TestClient;
import dev.courier.server.testing.TestKeys;
import dev.courier.server.testing.TestServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// What goes wrong from outside: unknown users, a server that is down, and input no honest
/// Courier client sends. Untrusted identities are covered by [IdentityChangeTest].
class BadInputTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private TestServer server;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void startServer() {
        server = new TestServer();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open.reversed()) c.close();
        server.close();
    }

    private CourierClient register(String name) {
        var c = Devices.register(dir, server.baseUrl(), name);
        open.add(c);
        return c;
    }

    @Test
    void sendingToAnUnknownUserFailsWithUnknownUserAndQueuesNothing() {
        var alice = register("alice");
        assertThatThrownBy(() -> alice.send("nobody", "is anyone there?"))
                .isInstanceOf(CourierException.UnknownUser.class)
                .hasMessageContaining("nobody");
        assertThat(alice.pendingOutgoing()).isZero();
        assertThat(alice.contacts()).isEmpty();
        // History is local: an unknown name there is "no conversation", not a server lookup.
        assertThatThrownBy(() -> alice.history("nobody", 10)).isInstanceOf(CourierException.UnknownContact.class);
    }

    @Test
    void sendingToAnUnknownAccountIdFailsWithUnknownUserToo() {
        var alice = register("alice");
        var bob = register("bob");
        UUID nobody = UUID.randomUUID();
        assertThatThrownBy(() -> alice.send(nobody.toString(), "is anyone there?"))
                .isInstanceOf(CourierException.UnknownUser.class);
        assertThat(alice.pendingOutgoing()).isZero();
        assertThat(alice.contacts()).isEmpty();

        // A real account ID works, and the message names the user.
        var sent = alice.send(bob.whoami().accountId().toString(), "found you by your account ID");
        assertThat(sent.peerName()).isEqualTo("bob");
        assertThat(alice.contacts()).extracting(Contact::username).containsExactly("bob");
        var bobHears = Recorder.on(bob);
        bob.connect(WAIT);
        assertThat(bobHears.next().body()).isEqualTo("found you by your account ID");
    }

    @Test
    void registeringWhileTheServerIsDownFailsWithServerUnreachableAndCanBeRetried() {
        Path aliceDir = dir.resolve("alice");
        URI down = URI.create("http://127.0.0.1:" + Devices.deadPort());
        assertThatThrownBy(() -> CourierClient.register(aliceDir, down, "alice", null))
                .isInstanceOf(CourierException.ServerUnreachable.class);
        assertThatThrownBy(() -> CourierClient.open(aliceDir)).isInstanceOf(CourierException.NotRegistered.class);

        try (var alice = CourierClient.register(aliceDir, URI.create(server.baseUrl()), "alice", null);
             var bob = CourierClient.register(dir.resolve("bob"), URI.create(server.baseUrl()), "bob", null)) {
            var bobHears = Recorder.on(bob);
            bob.connect(WAIT);
            alice.send("bob", "registered on the second try");
            assertThat(bobHears.next().body()).isEqualTo("registered on the second try");
        }
    }

    @Test
    void whileTheServerIsDownAKnownContactQueuesAndANewOneFailsWithServerUnreachable() throws Exception {
        register("carol");
        var alice = Devices.register(dir, server.baseUrl(), "alice");
        var bob = register("bob");
        var hello = alice.send("bob", "hello while up");
        assertThat(alice.awaitStatus(hello.id(), MessageStatus.SENT, WAIT)).isEqualTo(MessageStatus.SENT);

        server.server().close();
        var queued = alice.send("bob", "hello while down");
        assertThat(queued.status()).isEqualTo(MessageStatus.PENDING);
        assertThatThrownBy(() -> alice.send("carol", "new contact while down"))
                .isInstanceOf(CourierException.ServerUnreachable.class);
        assertThat(alice.connect(Duration.ofMillis(500))).as("no backlog can arrive").isFalse();
        assertThat(alice.isConnected()).isFalse();
        assertThat(alice.awaitStatus(queued.id(), MessageStatus.SENT, Duration.ofMillis(300))).isEqualTo(MessageStatus.PENDING);
        assertThat(alice.pendingOutgoing()).isEqualTo(1);
        assertThat(alice.contacts()).extracting(Contact::username).containsExactly("bob");
        alice.close();

        // A registered device opens without its server, with history and outbox intact.
        try (var reopened = CourierClient.open(dir.resolve("alice"))) {
            assertThat(reopened.history("bob", 10)).extracting(Message::body, Message::status).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("hello while up", MessageStatus.SENT),
                    org.assertj.core.groups.Tuple.tuple("hello while down", MessageStatus.PENDING));
            assertThat(reopened.pendingOutgoing()).isEqualTo(1);
            assertThatThrownBy(reopened::maintainKeys).isInstanceOf(CourierException.ServerUnreachable.class);
        }
    }

    @Test
    void corruptedCiphertextsAreCountedReportedAndDoNotBlockTheQueue() {
        var alice = register("alice");
        var bob = register("bob");
        var bobHears = Recorder.on(bob);
        var raw = new TestClient(server.baseUrl());
        var mallory = raw.register("mallory");
        var bobDevice = Devices.raw(dir.resolve("bob"));

        // Garbage of every client type waits in Bob's queue, ahead of a real message.
        for (int type : List.of(EnvelopeType.PREKEY_MESSAGE, EnvelopeType.CIPHERTEXT, EnvelopeType.SENDER_KEY,
                EnvelopeType.PLAINTEXT_CONTENT)) {
            var r = raw.send(mallory, bobDevice.accountId().toString(), UUID.randomUUID(),
                    List.of(new OutgoingMessage(1, bobDevice.registrationId(), type, TestKeys.random(200))));
            assertThat(r.status()).as("type %d accepted by the server", type).isEqualTo(200);
        }
        alice.connect(WAIT);
        var real = alice.send("bob", "the real message after the garbage");
        assertThat(alice.awaitStatus(real.id(), MessageStatus.SENT, WAIT)).isEqualTo(MessageStatus.SENT);

        assertThat(bob.connect(WAIT)).isTrue();
        assertThat(bobHears.next().body()).isEqualTo("the real message after the garbage");
        assertThat(bobHears.messages).hasSize(1);
        assertThat(bob.undecryptableCount()).isEqualTo(4);
        assertThat(bobHears.undecryptable).hasSize(4).allSatisfy(u -> assertThat(u.source()).isEqualTo(mallory.accountId()));
        assertThat(pendingOnServer(raw, bobDevice)).as("the garbage was acknowledged, not left to block the queue").isEmpty();

        // Garbage arriving live is handled the same way, and the connection keeps working.
        raw.send(mallory, bobDevice.accountId().toString(), UUID.randomUUID(),
                List.of(new OutgoingMessage(1, bobDevice.registrationId(), EnvelopeType.CIPHERTEXT, TestKeys.random(64))));
        var next = alice.send("bob", "and one more");
        assertThat(bobHears.next().body()).isEqualTo("and one more");
        assertThat(bob.undecryptableCount()).isEqualTo(5);
        assertThat(bobHears.undecryptable).hasSize(5);
        assertThat(alice.awaitStatus(next.id(), MessageStatus.DELIVERED, WAIT)).isEqualTo(MessageStatus.DELIVERED);
        assertThat(bob.contacts()).extracting(Contact::username).containsExactly("alice");
    }

    @Test
    void validCiphertextsWithForgedSenderOrBadContentAreDroppedAndCounted() throws Exception {
        var alice = register("alice");
        var bob = register("bob");
        var bobHears = Recorder.on(bob);
        bob.connect(WAIT);
        var mallory = Devices.register(dir, server.baseUrl(), "mallory");
        mallory.send("bob", "hi, I am mallory");
        assertThat(bobHears.next().peerName()).isEqualTo("mallory");
        mallory.close();

        UUID aliceId = alice.whoami().accountId();
        UUID bobId = bob.whoami().accountId();
        try (var hand = new RawSender(dir.resolve("mallory"), server.baseUrl())) {
            UUID malloryId = hand.device().accountId();
            // Mallory's real session, but content that claims to come from Alice.
            var forged = ContentCodec.encode(Content.text(UUID.randomUUID(), aliceId, bobId, System.currentTimeMillis(),
                    "I am alice, trust me"));
            assertThat(hand.post(bobId, hand.encrypt(bobId, 1, forged)).status()).isEqualTo(200);
            // Unpadded JSON, and padded bytes that are not JSON.
            var unpadded = ("{\"v\":1,\"kind\":\"text\",\"messageId\":\"" + UUID.randomUUID() + "\",\"sender\":\"" + malloryId
                    + "\",\"recipient\":\"" + bobId + "\",\"timestamp\":1,\"body\":\"unpadded\"}").getBytes(StandardCharsets.UTF_8);
            assertThat(hand.post(bobId, hand.encrypt(bobId, 1, unpadded)).status()).isEqualTo(200);
            var notJson = new byte[160];
            System.arraycopy("not json".getBytes(StandardCharsets.UTF_8), 0, notJson, 0, 8);
            notJson[8] = (byte) 0x80;
            assertThat(hand.post(bobId, hand.encrypt(bobId, 1, notJson)).status()).isEqualTo(200);
            // And after all that, a proper message on the same session still gets through.
            var fine = ContentCodec.encode(Content.text(UUID.randomUUID(), malloryId, bobId, System.currentTimeMillis(),
                    "a proper message"));
            assertThat(hand.post(bobId, hand.encrypt(bobId, 1, fine)).status()).isEqualTo(200);

            assertThat(bobHears.next().body()).isEqualTo("a proper message");
            assertThat(bob.undecryptableCount()).isEqualTo(3);
            assertThat(bobHears.undecryptable).extracting(Recorder.Undecryptable::source).containsOnly(malloryId);
        }
        assertThat(bobHears.messages).extracting(Message::body).containsExactly("hi, I am mallory", "a proper message");
        assertThat(bob.contacts()).as("nothing is shown as coming from alice").extracting(Contact::username)
                .containsExactly("mallory");
    }

    private static List<?> pendingOnServer(TestClient raw, TestClient.Device device) {
        var r = raw.get("/v1/messages", device);
        assertThat(r.status()).isEqualTo(200);
        return r.as(PendingMessagesResponse.class).envelopes();
    }
}
