package dev.courier.bench.xmpp;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/// The generator's XMPP side: registers users and logs them in against one server, on one
/// [XmppReactor]. Every user has the same password (the benchmark measures messaging, not
/// authentication).
public final class XmppClients implements AutoCloseable {
    /// Registration streams used at once: each registers its share of the users, pipelined.
    private static final int REGISTRATION_STREAMS = 4;
    private static final String PASSWORD = "bench-password";

    private final InetSocketAddress server;
    private final String host;
    private final XmppReactor reactor = new XmppReactor();
    private final Queue<XmppConnection> open = new ConcurrentLinkedQueue<>();

    public XmppClients(InetSocketAddress server, String host) {
        this.server = server;
        this.host = host;
    }

    public String jid(String user) {
        return user + "@" + host;
    }

    /// Users `prefix0` … `prefix(count-1)`, registered in-band (XEP-0077).
    public List<String> register(String prefix, int count) {
        List<String> users = IntStream.range(0, count).mapToObj(i -> prefix + i).toList();
        List<CompletableFuture<XmppConnection>> streams = new ArrayList<>();
        int per = Math.ceilDiv(count, REGISTRATION_STREAMS);
        for (int from = 0; from < count; from += per) {
            var c = XmppConnection.register(reactor, host, users.subList(from, Math.min(count, from + per)), PASSWORD);
            reactor.connect(c, server);
            streams.add(c.ready());
        }
        await(CompletableFuture.allOf(streams.toArray(CompletableFuture[]::new)), 120, "registering " + count + " users");
        return users;
    }

    /// Starts logging `user` in; completes once its initial presence is sent.
    public CompletableFuture<XmppConnection> login(String user, XmppConnection.Listener listener) {
        var c = XmppConnection.login(reactor, host, user, PASSWORD, listener);
        open.add(c);
        reactor.connect(c, server);
        return c.ready();
    }

    /// Logs every user in, `inFlight` logins at a time, and waits for all.
    public List<XmppConnection> loginAll(List<String> users, int inFlight, XmppConnection.Listener listener) {
        Semaphore slots = new Semaphore(inFlight);
        List<CompletableFuture<XmppConnection>> logins = new ArrayList<>();
        for (String user : users) {
            slots.acquireUninterruptibly();
            logins.add(login(user, listener).whenComplete((c, e) -> slots.release()));
        }
        await(CompletableFuture.allOf(logins.toArray(CompletableFuture[]::new)), 120, "logging in " + users.size() + " users");
        return logins.stream().map(CompletableFuture::join).toList();
    }

    public static <T> T await(CompletableFuture<T> future, int seconds, String what) {
        try {
            return future.get(seconds, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new XmppException(what + " failed: " + e.getCause().getMessage());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new XmppException(what + " did not finish within " + seconds + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new XmppException(what + " was interrupted");
        }
    }

    /// Closes every connection this opened, then the reactor.
    @Override
    public void close() {
        for (XmppConnection c; (c = open.poll()) != null; ) c.close();
        reactor.close();
    }
}
