package dev.courier.bench.xmpp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/// One client-to-server XMPP stream (RFC 6120), driven by an [XmppReactor].
///
/// Either it logs a user in, in the order a real client does: stream header, SASL PLAIN,
/// stream restart, resource bind, session, initial presence, after which [#ready] completes
/// and messages go to the [Listener]; or it registers a list of users in-band (XEP-0077) on one
/// unauthenticated stream, all requests pipelined, and [#ready] completes when every one is
/// answered. No TLS, no stream management, no compression: plain XMPP on loopback.
///
/// Thread-safe for [#send] (any thread; writes are ordered by this object's lock). The `on*`
/// methods run on the reactor thread only.
public final class XmppConnection {
    /// What a logged-in connection does with the messages it receives. Runs on the reactor thread.
    @FunctionalInterface
    public interface Listener {
        void onMessage(XmppConnection connection, String stanza, long receivedNanos);

        Listener IGNORE = (c, s, t) -> {};
    }

    private enum Phase { CONNECTING, OPENING, AUTHENTICATING, RESTARTING, BINDING, STARTING_SESSION, READY, REGISTERING, FAILED }

    private static final String BIND_ID = "bind";
    private static final String SESSION_ID = "session";

    private final XmppReactor reactor;
    private final String host;
    private final String user;
    private final String password;
    private final List<String> registering;
    private final Listener listener;
    private final CompletableFuture<XmppConnection> ready = new CompletableFuture<>();
    private final Map<String, CompletableFuture<Void>> roundTrips = new ConcurrentHashMap<>();
    private final StanzaScanner scanner = new StanzaScanner();
    private final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
    private volatile Phase phase = Phase.CONNECTING;
    private SocketChannel channel;
    private SelectionKey key;
    private boolean connected;
    private boolean waitingToWrite;
    private int registered;

    private XmppConnection(XmppReactor reactor, String host, String user, String password, List<String> registering, Listener listener) {
        this.reactor = reactor;
        this.host = host;
        this.user = user;
        this.password = password;
        this.registering = registering;
        this.listener = listener;
    }

    /// A connection that logs `user` in; [#ready] completes after its initial presence is sent.
    static XmppConnection login(XmppReactor reactor, String host, String user, String password, Listener listener) {
        return new XmppConnection(reactor, host, user, password, List.of(), listener);
    }

    /// A connection that registers `users` (all with `password`); [#ready] completes when all are.
    static XmppConnection register(XmppReactor reactor, String host, List<String> users, String password) {
        return new XmppConnection(reactor, host, null, password, List.copyOf(users), Listener.IGNORE);
    }

    public CompletableFuture<XmppConnection> ready() {
        return ready;
    }

    public String user() {
        return user;
    }

    /// Writes `stanza` now, or queues it behind earlier writes the socket has not taken yet.
    public void send(String stanza) {
        ByteBuffer data = ByteBuffer.wrap(stanza.getBytes(StandardCharsets.UTF_8));
        synchronized (this) {
            if (phase == Phase.FAILED) throw new XmppException("connection of " + user + " is closed");
            if (connected && pending.isEmpty()) {
                try {
                    channel.write(data);
                } catch (IOException e) {
                    fail(e.getMessage());
                    throw new XmppException("write failed: " + e.getMessage());
                }
                if (!data.hasRemaining()) return;
            }
            pending.add(data);
            if (connected && !waitingToWrite) {
                waitingToWrite = true;
                key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                reactor.wakeup();
            }
        }
    }

    /// Sends a stanza the server answers itself and completes when the answer arrives: every
    /// stanza sent before it on this stream has then been processed by the server.
    public CompletableFuture<Void> roundTrip(String id) {
        var answered = new CompletableFuture<Void>();
        roundTrips.put(id, answered);
        send(Stanzas.serverRoundTrip(id, host));
        return answered;
    }

    /// Ends the stream and closes the socket.
    public void close() {
        synchronized (this) {
            if (phase == Phase.FAILED) return;
            phase = Phase.FAILED;
        }
        reactor.execute(() -> {
            try {
                if (channel != null) channel.close();
            } catch (IOException ignored) {
                // closing is best effort
            }
        });
    }

    void attach(SocketChannel channel, SelectionKey key) {
        this.channel = channel;
        this.key = key;
    }

    void onConnected() {
        phase = registering.isEmpty() ? Phase.OPENING : Phase.REGISTERING;
        synchronized (this) {
            connected = true;
        }
        send(Stanzas.streamOpen(host));
        flush();
    }

    /// Writes what is queued; called by the reactor when the socket is writable.
    synchronized void flush() {
        try {
            while (!pending.isEmpty()) {
                channel.write(pending.peek());
                if (pending.peek().hasRemaining()) {
                    if (!waitingToWrite) {
                        waitingToWrite = true;
                        key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                    }
                    return;
                }
                pending.poll();
            }
            if (waitingToWrite) {
                waitingToWrite = false;
                key.interestOps(SelectionKey.OP_READ);
            }
        } catch (IOException e) {
            fail(e.getMessage());
        }
    }

    void onBytes(byte[] bytes, int length, long receivedNanos) {
        scanner.feed(bytes, 0, length);
        for (String element; (element = scanner.next()) != null; ) {
            if (phase == Phase.FAILED) return;
            onElement(element, receivedNanos);
        }
    }

    private void onElement(String element, long receivedNanos) {
        String name = Stanzas.name(element);
        switch (name) {
            case "message" -> listener.onMessage(this, element, receivedNanos);
            case "stream:features" -> onFeatures();
            case "success" -> {
                phase = Phase.RESTARTING;
                scanner.reset();
                send(Stanzas.streamOpen(host));
            }
            case "failure" -> fail("SASL failure for " + user + ": " + element);
            case "stream:error", "/stream:stream" -> fail("the server ended the stream: " + element);
            case "iq" -> onIq(element);
            default -> { } // presence, the stream header, <?xml?>: nothing to do
        }
    }

    private void onFeatures() {
        switch (phase) {
            case OPENING -> {
                phase = Phase.AUTHENTICATING;
                send(Stanzas.authPlain(user, password));
            }
            case RESTARTING -> {
                phase = Phase.BINDING;
                send(Stanzas.bind(BIND_ID, "bench"));
            }
            case REGISTERING -> {
                StringBuilder all = new StringBuilder();
                for (int i = 0; i < registering.size(); i++) all.append(Stanzas.register("reg" + i, registering.get(i), password));
                send(all.toString());
            }
            default -> { }
        }
    }

    private void onIq(String iq) {
        String id = Stanzas.attribute(iq, "id");
        boolean error = "error".equals(Stanzas.attribute(iq, "type"));
        CompletableFuture<Void> roundTrip = id == null ? null : roundTrips.remove(id);
        if (roundTrip != null) {
            roundTrip.complete(null); // an error answer is an answer too
            return;
        }
        switch (phase) {
            case BINDING -> {
                if (error) fail("resource bind refused for " + user + ": " + iq);
                phase = Phase.STARTING_SESSION;
                send(Stanzas.session(SESSION_ID));
            }
            case STARTING_SESSION -> {
                if (error) fail("session refused for " + user + ": " + iq);
                phase = Phase.READY;
                send(Stanzas.PRESENCE);
                ready.complete(this);
            }
            case REGISTERING -> {
                if (error) {
                    fail("in-band registration refused: " + iq);
                } else if (++registered == registering.size()) {
                    ready.complete(this);
                    close();
                }
            }
            default -> { }
        }
    }

    void fail(String why) {
        synchronized (this) {
            phase = Phase.FAILED;
        }
        ready.completeExceptionally(new XmppException(why));
        roundTrips.values().forEach(f -> f.completeExceptionally(new XmppException(why)));
        try {
            if (channel != null) channel.close();
        } catch (IOException ignored) {
            // already failing
        }
    }
}
