package dev.courier.client;

import dev.courier.client.internal.Events;
import dev.courier.client.internal.content.Content;
import dev.courier.client.internal.content.ContentCodec;
import dev.courier.client.internal.keys.KeyMaintenance;
import dev.courier.client.internal.keys.PreKeys;
import dev.courier.client.internal.net.DeliveryConnection;
import dev.courier.client.internal.net.SendTransport;
import dev.courier.client.internal.net.ServerApi;
import dev.courier.client.internal.push.PushKeys;
import dev.courier.client.internal.receive.Receiver;
import dev.courier.client.internal.send.MessageSender;
import dev.courier.client.internal.send.OutboxWorker;
import dev.courier.client.internal.store.Conversations;
import dev.courier.client.internal.store.DeviceStore;
import dev.courier.client.internal.store.LocalState;
import dev.courier.client.internal.store.Outbox;
import dev.courier.client.internal.store.SignalStore;
import dev.courier.protocol.DeviceKeys;
import dev.courier.protocol.DirectoryEntry;
import dev.courier.protocol.MessageIds;
import dev.courier.protocol.ServerFrame;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.signal.libsignal.protocol.IdentityKey;
import org.signal.libsignal.protocol.IdentityKeyPair;
import org.signal.libsignal.protocol.fingerprint.NumericFingerprintGenerator;
import org.signal.libsignal.protocol.util.KeyHelper;

/// A Courier device: its keys and history on disk, its outbox, and (once [#connect]ed) its live
/// delivery connection.
///
/// ```java
/// try (var alice = CourierClient.register(Path.of("alice"), URI.create("http://localhost:8080"), "alice", null)) {
///     alice.send("bob", "Hello!");
/// }
/// ```
///
/// Sends go through a durable outbox: [#send] returns at once with the message PENDING, and the
/// client keeps trying until the server has it, across restarts. Listeners ([#addListener])
/// hear about new messages, status changes and identity changes.
///
/// Thread-safe. One `CourierClient` per device directory at a time.
public final class CourierClient implements AutoCloseable {
    /// One-time keys published at registration and on each top-up.
    static final int ONE_TIME_KEYS = KeyMaintenance.BATCH;
    /// How often the signed pre-key and the last-resort Kyber key rotate.
    static final Duration ROTATE_SIGNED_EVERY = Duration.ofDays(7);
    /// Safety numbers as Signal computes them: 5200 iterations, version 2, account UUIDs.
    private static final int FINGERPRINT_ITERATIONS = 5200;
    private static final int FINGERPRINT_VERSION = 2;

    private final DeviceStore db;
    private final LocalState local;
    private final SignalStore signal;
    private final Conversations conversations;
    private final Outbox outbox;
    private final ServerApi api;
    private final HttpClient http;
    private final Events events;
    private final OutboxWorker outboxWorker;
    private final KeyMaintenance keys;
    private final Identity identity;
    private final Receiver receiver;
    private final DeliveryConnection connection;
    private final PushKeys pushKeys;
    private final AtomicBoolean keyRefreshPending = new AtomicBoolean();
    private volatile CountDownLatch queueEmpty = new CountDownLatch(1);
    private volatile boolean connected;

    private CourierClient(DeviceStore db, LocalState local, Events events, HttpClient http) {
        this.db = db;
        this.local = local;
        this.events = events;
        this.http = http;
        this.identity = local.identity();
        this.signal = new SignalStore(db, local, name -> events.onIdentityChanged(displayName(name)));
        this.conversations = new Conversations(db, signal);
        this.outbox = new Outbox(db);
        this.api = new ServerApi(identity.server(), http,
                () -> ServerApi.basic(identity.accountId(), identity.deviceId(), local.credential()));
        this.pushKeys = new PushKeys(local);
        this.keys = new KeyMaintenance(api, new PreKeys(db, signal, local), signal, local, ROTATE_SIGNED_EVERY);
        // The sender sends over the connection, so the connection comes first; it hands frames
        // to the receiver, made below, and the first frame comes only after connect().
        this.connection = new DeliveryConnection(identity.server(), http,
                () -> ServerApi.basic(identity.accountId(), identity.deviceId(), local.credential()), this::onFrame,
                this::connectionChanged);
        var sender = new MessageSender(api, new SendTransport(connection, api), db, signal, conversations, events);
        this.outboxWorker = new OutboxWorker(outbox, sender, conversations, events);
        this.receiver = new Receiver(db, signal, conversations, outbox, events, identity.accountId(), this::ack,
                outboxWorker::signal, this::refreshKeysSoon, this::lookupUsername);
        events.add(new ClientListener() {
            @Override
            public void onQueueEmpty() {
                queueEmpty.countDown();
            }
        });
    }

    /// Starts the outbox after the caller's listener is in place, so no early event is missed.
    private CourierClient started(ClientListener listener) {
        if (listener != null) events.add(listener);
        outboxWorker.start();
        return this;
    }

    /// Creates a device directory, registers a new account with it as device 1, and opens it.
    ///
    /// @param registrationToken needed when the server registers only with tokens; else null
    /// @throws CourierException.Refused with code `username_taken`, `invalid_username`, ...
    public static CourierClient register(Path deviceDir, URI server, String username, String registrationToken) {
        if (DeviceStore.exists(deviceDir)) {
            try (DeviceStore existing = DeviceStore.open(deviceDir, false)) {
                if (new LocalState(existing).isRegistered()) {
                    throw new CourierException("a device is already registered in " + deviceDir);
                }
            }
        }
        DeviceStore db = DeviceStore.open(deviceDir, true);
        try {
            var local = new LocalState(db);
            local.saveKeys(IdentityKeyPair.generate(), KeyHelper.generateRegistrationId(false));
            var signal = new SignalStore(db, local, name -> {});
            var preKeys = new PreKeys(db, signal, local);
            DeviceKeys keys = preKeys.initial(ONE_TIME_KEYS);
            HttpClient http = newHttpClient();
            var api = new ServerApi(server, http, () -> null);
            var response = api.register(username, local.registrationId(), "courier-java", registrationToken, keys);
            local.saveRegistration(new Identity(response.accountId(), response.username(), response.deviceId(), server),
                    response.credential());
            KeyMaintenance.markRotatedNow(local);
            return new CourierClient(db, local, new Events(), http).started(null);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    /// Opens the device registered in `deviceDir`.
    ///
    /// @throws CourierException.NotRegistered if there is none
    public static CourierClient open(Path deviceDir) {
        return open(deviceDir, null);
    }

    /// Opens the device registered in `deviceDir` with `listener` attached before anything runs:
    /// the outbox starts sending at once, and this way its first status changes are heard too.
    ///
    /// @throws CourierException.NotRegistered if there is none
    public static CourierClient open(Path deviceDir, ClientListener listener) {
        DeviceStore db = DeviceStore.open(deviceDir, false);
        var local = new LocalState(db);
        if (!local.isRegistered()) {
            db.close();
            throw new CourierException.NotRegistered(deviceDir.toString());
        }
        return new CourierClient(db, local, new Events(), newHttpClient()).started(listener);
    }

    private static HttpClient newHttpClient() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    public Identity whoami() {
        return identity;
    }

    public void addListener(ClientListener listener) {
        events.add(listener);
    }

    public void removeListener(ClientListener listener) {
        events.remove(listener);
    }

    /// Opens the delivery connection (and keeps reopening it), then tops up keys. Returns once
    /// the backlog that waited on the server has arrived, or after `timeout`.
    ///
    /// @return true if the backlog arrived within `timeout`
    public boolean connect(Duration timeout) {
        // No new latch here: there is a fresh one from the start and after every drop, and a
        // connection sends queue_empty once, so a new latch on a live connection would never open.
        connection.start();
        refreshKeysSoon();
        return awaitQueueEmpty(timeout);
    }

    /// Waits for the next "queue empty" marker: everything waiting at (re)connect has arrived.
    public boolean awaitQueueEmpty(Duration timeout) {
        try {
            return queueEmpty.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public boolean isConnected() {
        return connected;
    }

    private void connectionChanged(boolean up) {
        connected = up;
        // Every (re)connect is a chance to top up keys used while we were away.
        if (up) refreshKeysSoon();
        if (!up) queueEmpty = new CountDownLatch(1);
        events.onConnection(up);
    }

    private void ack(UUID guid) {
        connection.ack(guid);
    }

    private void onFrame(ServerFrame frame) {
        receiver.onFrame(frame);
    }

    /// Story step 1: builds the message request and puts it in the outbox; the outbox worker
    /// encrypts and sends it. Returns the stored message, PENDING.
    ///
    /// @param recipient a username or account ID
    /// @throws CourierException.UnknownUser if the server knows no such user
    /// @throws CourierException.ServerUnreachable if the user is new to this device and the server is down
    public Message send(String recipient, String text) {
        if (text == null || text.isEmpty()) throw new CourierException("a message needs some text");
        UUID peer = resolve(recipient);
        if (peer.equals(identity.accountId())) {
            throw new CourierException("sending to your own account is not supported yet (it needs linked devices)");
        }
        UUID id = MessageIds.next();
        long now = System.currentTimeMillis();
        Content content = Content.text(id, identity.accountId(), peer, now, text);
        events.onTrace(id, TraceStep.REQUEST_CREATED, Events.now());
        boolean held = signal.identityChanged(peer.toString());
        db.transaction(() -> {
            conversations.addOutgoing(id, peer, text, now);
            outbox.add(id, peer, Content.TEXT, ContentCodec.encode(content));
            // A changed safety number holds everything to this contact, this message too.
            if (held) {
                outbox.hold(peer);
                conversations.advance(id, MessageStatus.UNTRUSTED);
            }
            return null;
        });
        if (held) events.onStatus(id, MessageStatus.UNTRUSTED);
        outboxWorker.signal();
        return new Message(id, peer, conversations.username(peer).orElse(recipient), true, text, now,
                held ? MessageStatus.UNTRUSTED : MessageStatus.PENDING);
    }

    /// Waits until message `id` reaches `status` or a later step, or stops where it cannot go on
    /// (FAILED, or UNTRUSTED until the user trusts). Returns the status it has then.
    public MessageStatus awaitStatus(UUID id, MessageStatus status, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            MessageStatus current = conversations.outgoingStatus(id).orElseThrow(() -> new CourierException("no sent message " + id));
            boolean reached = current == status || current.ordinal() > status.ordinal() && status.ordinal() >= MessageStatus.SENT.ordinal();
            boolean stuck = current == MessageStatus.FAILED || current == MessageStatus.UNTRUSTED;
            if (reached || stuck || System.nanoTime() > deadline) return current;
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return current;
            }
        }
    }

    /// Marks the conversation with `user` read and sends read receipts for what was unread.
    public void markRead(String user) {
        UUID peer = resolve(user);
        List<UUID> read = conversations.markRead(peer);
        if (read.isEmpty()) return;
        var receipt = Content.receipt(MessageIds.next(), identity.accountId(), peer, System.currentTimeMillis(), Content.READ, read);
        outbox.add(receipt.messageId(), peer, Content.RECEIPT, ContentCodec.encode(receipt));
        outboxWorker.signal();
    }

    /// The last `limit` messages with `user`, oldest first.
    public List<Message> history(String user, int limit) {
        return conversations.history(resolveLocally(user).orElseThrow(() -> notAContact(user)), limit);
    }

    public List<Contact> contacts() {
        return conversations.contacts();
    }

    /// The safety number with `user`, from the identity key this device holds for them.
    public SafetyNumber safetyNumber(String user) {
        UUID peer = resolveLocally(user).orElseThrow(() -> notAContact(user));
        IdentityKey theirs = signal.storedIdentity(peer.toString());
        if (theirs == null) throw new CourierException("no identity key of " + user + " yet: exchange a message first");
        var fingerprint = new NumericFingerprintGenerator(FINGERPRINT_ITERATIONS).createFor(FINGERPRINT_VERSION,
                uuidBytes(identity.accountId()), local.identityKeyPair().getPublicKey(), uuidBytes(peer), theirs);
        return new SafetyNumber(displayName(peer.toString()), fingerprint.getDisplayableFingerprint().getDisplayText());
    }

    /// Accepts `user`'s current identity key and releases messages held for them.
    public void trust(String user) {
        UUID peer = resolveLocally(user).orElseThrow(() -> notAContact(user));
        signal.trust(peer.toString());
        List<UUID> released = outbox.release(peer);
        for (UUID id : released) {
            if (conversations.advance(id, MessageStatus.PENDING)) events.onStatus(id, MessageStatus.PENDING);
        }
        outboxWorker.signal();
    }

    /// Whether `user`'s identity changed and waits for [#trust].
    public boolean identityChanged(String user) {
        return resolveLocally(user).map(p -> signal.identityChanged(p.toString())).orElse(false);
    }

    /// Tops up one-time keys and rotates the signed pre-key if due. Returns how many keys were uploaded.
    public int maintainKeys() {
        return keys.run();
    }

    /// The server's VAPID public key (base64url, RFC 8292). A UnifiedPush distributor or a browser
    /// asks for it when it creates the endpoint, so that only this server can push to it.
    public String pushServerKey() {
        return api.vapidPublicKey();
    }

    /// Registers a Web Push or UnifiedPush endpoint for this device, replacing any earlier one.
    /// The device makes fresh RFC 8291 keys for it, so the push service cannot read the wake-ups.
    ///
    /// @throws CourierException.Refused if the server refuses the endpoint (e.g. not https)
    public PushRegistration registerPush(URI endpoint) {
        var subscription = pushKeys.newSubscription(endpoint.toString());
        api.putPushSubscription(subscription);
        return new PushRegistration(endpoint, subscription.keys().p256dh(), subscription.keys().auth());
    }

    /// The subscription the server holds for this device; empty if there is none, for example
    /// after the push service reported the endpoint gone.
    public Optional<PushRegistration> pushRegistration() {
        return api.pushSubscription().map(s -> new PushRegistration(URI.create(s.endpoint()), s.keys().p256dh(), s.keys().auth()));
    }

    /// Stops wake-ups for this device.
    public void unregisterPush() {
        api.deletePushSubscription();
    }

    /// Handles a push that arrived at this device's endpoint: checks it is a Courier wake-up for
    /// this device, then connects and waits for the queue to drain, as [#connect] does.
    ///
    /// @param body the push message body as the push service delivered it (RFC 8291 `aes128gcm`)
    /// @return true if the waiting messages arrived within `timeout`
    /// @throws CourierException if the body is not a wake-up for this device
    public boolean onPush(byte[] body, Duration timeout) {
        checkPush(body);
        return connect(timeout);
    }

    /// Checks that `body` is a Courier wake-up encrypted for this device, without connecting.
    ///
    /// @throws CourierException if it is not
    public void checkPush(byte[] body) {
        pushKeys.open(body);
    }

    /// Envelopes dropped because they could not be decrypted or parsed, since this client opened.
    public long undecryptableCount() {
        return receiver.undecryptableCount();
    }

    /// Messages still waiting in the outbox (texts and receipts).
    public int pendingOutgoing() {
        return outbox.size();
    }

    private void refreshKeysSoon() {
        if (!keyRefreshPending.compareAndSet(false, true)) return;
        Thread.ofVirtual().name("courier-keys").start(() -> {
            try {
                keys.run();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(CourierClient.class).debug("key upkeep failed; will retry later: {}", e.getMessage());
            } finally {
                keyRefreshPending.set(false);
            }
        });
    }

    private UUID resolve(String user) {
        // Any UUID parses locally; only a contact's is known to exist. Others are looked up, so a
        // wrong account ID fails here with UnknownUser instead of later, silently, as FAILED.
        Optional<UUID> known = resolveLocally(user).filter(conversations::isContact);
        if (known.isPresent()) return known.get();
        DirectoryEntry entry = lookup(user);
        conversations.saveContact(entry.accountId(), entry.username());
        return entry.accountId();
    }

    private Optional<String> lookupUsername(UUID account) {
        try {
            return Optional.of(api.directory(account.toString()).username());
        } catch (CourierException e) {
            return Optional.empty();
        }
    }

    private DirectoryEntry lookup(String user) {
        return api.directory(user);
    }

    private Optional<UUID> resolveLocally(String user) {
        if (user == null || user.isBlank()) return Optional.empty();
        try {
            if (user.length() == 36) return Optional.of(UUID.fromString(user));
        } catch (IllegalArgumentException ignored) {
            // Not a UUID: a username.
        }
        return conversations.accountByUsername(user.toLowerCase(Locale.ROOT));
    }

    private String displayName(String accountId) {
        try {
            return conversations.username(UUID.fromString(accountId)).orElse(accountId);
        } catch (IllegalArgumentException e) {
            return accountId;
        }
    }

    private static CourierException notAContact(String user) {
        return new CourierException.UnknownContact(user);
    }

    private static byte[] uuidBytes(UUID id) {
        return java.nio.ByteBuffer.allocate(16).putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits()).array();
    }

    /// Stops the connection and the outbox worker, then closes the store. Unsent messages stay in
    /// the outbox for next time.
    @Override
    public void close() {
        connection.close();
        outboxWorker.close();
        receiver.close();
        db.close();
        http.close();
    }
}
