package dev.courier.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.PendingMessagesResponse;
import dev.courier.server.testing.TestClient;
import dev.courier.server.testing.TestServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// Which way a send travels: over the sender's delivery socket while it is connected, by `POST`
/// otherwise and whenever the socket cannot carry it. Alice talks to the server through a
/// [TcpProxy] that counts her `POST /v1/messages` requests; Bob talks to it directly.
class SendsOverTheSocketTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private TestServer server;
    private TcpProxy proxy;
    private CourierClient alice;
    private CourierClient bob;
    private Recorder aliceHears;
    private Recorder bobHears;

    /// Alice registered, not connected; Bob connected.
    @BeforeEach
    void start() throws Exception {
        server = new TestServer();
        proxy = new TcpProxy(server.port());
        alice = CourierClient.register(dir.resolve("alice"), URI.create(proxy.baseUrl()), "alice", null);
        bob = Devices.register(dir, server.baseUrl(), "bob");
        aliceHears = Recorder.on(alice);
        bobHears = Recorder.on(bob);
        assertThat(bob.connect(WAIT)).isTrue();
    }

    @AfterEach
    void stop() {
        alice.close();
        bob.close();
        proxy.close();
        server.close();
    }

    private double duplicateSends() {
        return server.server().metrics().counter("courier.messages.duplicate").count();
    }

    /// Connection changes `client` reports from now on.
    private static List<Boolean> connectionChanges(CourierClient client) {
        List<Boolean> changes = new CopyOnWriteArrayList<>();
        client.addListener(new ClientListener() {
            @Override
            public void onConnection(boolean connected) {
                changes.add(connected);
            }
        });
        return changes;
    }

    @Test
    void aConnectedClientSendsOverItsSocketWithoutAPost() {
        assertThat(alice.connect(WAIT)).isTrue();

        var sent = alice.send("bob", "Hello!");
        Message got = bobHears.next();
        assertThat(got.id()).isEqualTo(sent.id());
        assertThat(got.body()).isEqualTo("Hello!");
        assertThat(alice.awaitStatus(sent.id(), MessageStatus.DELIVERED, WAIT)).isEqualTo(MessageStatus.DELIVERED);

        assertThat(proxy.messagePosts()).as("POST /v1/messages from Alice").isZero();
        Awaitility.await().atMost(WAIT).until(() -> aliceHears.tracesOf(sent.id()).contains(TraceStep.STORED_BY_SERVER));
        assertThat(aliceHears.tracesOf(sent.id())).containsExactly(TraceStep.REQUEST_CREATED, TraceStep.ENCRYPTED,
                TraceStep.POSTED, TraceStep.STORED_BY_SERVER);
    }

    @Test
    void aClientWithoutAConnectedSocketSendsByPost() {
        assertThat(alice.isConnected()).isFalse();

        var sent = alice.send("bob", "Hello!");
        assertThat(bobHears.next().body()).isEqualTo("Hello!");
        assertThat(alice.awaitStatus(sent.id(), MessageStatus.SENT, WAIT)).isEqualTo(MessageStatus.SENT);
        assertThat(proxy.messagePosts()).isEqualTo(1);
    }

    @Test
    void aSendWhoseSocketDropsBeforeItsAnswerIsPostedAgainAndArrivesOnce() throws Exception {
        assertThat(alice.connect(WAIT)).isTrue();

        // The server gets Alice's send frame and stores the message, but its answer is lost.
        assertThat(proxy.blackholeWebSocketDownstream()).isEqualTo(1);
        var sent = alice.send("bob", "Hello!");
        assertThat(bobHears.next().body()).isEqualTo("Hello!");
        assertThat(alice.awaitStatus(sent.id(), MessageStatus.SENT, Duration.ofMillis(500)))
                .as("no answer yet").isEqualTo(MessageStatus.PENDING);
        assertThat(alice.pendingOutgoing()).isEqualTo(1);
        assertThat(proxy.messagePosts()).isZero();
        assertThat(duplicateSends()).isZero();

        // The socket drops: the send is posted again at once (well before the 20 s wait for an
        // answer ends), and the server answers it as the repeat it is. The outbox, not the
        // status, says when the send is done: Bob's delivery receipt may make it DELIVERED first.
        proxy.cutBlackholed();
        Awaitility.await().atMost(WAIT).until(() -> alice.pendingOutgoing() == 0);
        assertThat(proxy.messagePosts()).isEqualTo(1);
        assertThat(duplicateSends()).as("the POST repeated a stored send").isEqualTo(1.0);

        assertThat(alice.awaitStatus(sent.id(), MessageStatus.DELIVERED, WAIT)).isEqualTo(MessageStatus.DELIVERED);
        assertThat(bobHears.poll(Duration.ofMillis(300))).as("nothing more for Bob").isNull();
        assertThat(bobHears.messages).hasSize(1);
        assertThat(bob.history("alice", 10)).extracting(Message::id).containsExactly(sent.id());
        var raw = new TestClient(server.baseUrl());
        var bobDevice = Devices.raw(dir.resolve("bob"));
        Awaitility.await().atMost(WAIT).until(() -> raw.get("/v1/messages", bobDevice)
                .as(PendingMessagesResponse.class).envelopes().isEmpty());
    }

    @Test
    void theRecipientsNewAndRemovedDevicesAreCorrectedOverTheSocket() {
        assertThat(alice.connect(WAIT)).isTrue();
        alice.send("bob", "one device");
        assertThat(bobHears.next().body()).isEqualTo("one device");

        // Bob adds a laptop with his own identity key: Alice's next send meets 409 (a missing
        // device), starts a session with it and sends again, all over the socket.
        Path laptopDir = dir.resolve("bob-laptop");
        int laptopId = Devices.addDevice(server.baseUrl(), dir.resolve("bob"), laptopDir, Devices.identityKeyPair(dir.resolve("bob")));
        var two = alice.send("bob", "two devices");
        assertThat(alice.awaitStatus(two.id(), MessageStatus.SENT, WAIT)).isIn(MessageStatus.SENT, MessageStatus.DELIVERED);
        assertThat(bobHears.next().body()).isEqualTo("two devices");
        try (var laptop = CourierClient.open(laptopDir)) {
            var laptopHears = Recorder.on(laptop);
            assertThat(laptop.connect(WAIT)).isTrue();
            assertThat(laptopHears.messages).extracting(Message::body).containsExactly("two devices");
        }

        // Bob removes the laptop: the next send meets 409 (an extra device) and drops its session.
        var r = new TestClient(server.baseUrl()).request("DELETE", "/v1/devices/" + laptopId, null,
                Devices.raw(dir.resolve("bob")).authHeader());
        assertThat(r.status()).isEqualTo(204);
        var one = alice.send("bob", "just your phone now");
        assertThat(alice.awaitStatus(one.id(), MessageStatus.SENT, WAIT)).isIn(MessageStatus.SENT, MessageStatus.DELIVERED);
        assertThat(bobHears.next().body()).isEqualTo("just your phone now");

        assertThat(proxy.messagePosts()).as("POST /v1/messages from Alice").isZero();
        assertThat(aliceHears.identityChanges).isEmpty();
    }

    @Test
    void aMessageTooLargeForASocketFrameIsPostedAndArrives() {
        assertThat(alice.connect(WAIT)).isTrue();
        List<Boolean> aliceConnection = connectionChanges(alice);

        // About 80 KiB once encrypted and base64-encoded: over the server's 64 KiB frame limit,
        // well under its 256 KiB ciphertext limit.
        String large = "x".repeat(60_000);
        var sent = alice.send("bob", large);
        assertThat(bobHears.next().body()).isEqualTo(large);
        assertThat(alice.awaitStatus(sent.id(), MessageStatus.SENT, WAIT)).isIn(MessageStatus.SENT, MessageStatus.DELIVERED);
        assertThat(proxy.messagePosts()).isEqualTo(1);
        // Tried on the socket, the frame would have made the server close it (1009).
        assertThat(aliceConnection).as("Alice's socket stayed up").isEmpty();
        assertThat(alice.isConnected()).isTrue();

        // A small message after it goes over the socket again.
        var small = alice.send("bob", "and a short one");
        assertThat(bobHears.next().body()).isEqualTo("and a short one");
        assertThat(alice.awaitStatus(small.id(), MessageStatus.SENT, WAIT)).isIn(MessageStatus.SENT, MessageStatus.DELIVERED);
        assertThat(proxy.messagePosts()).isEqualTo(1);
    }
}
