package dev.courier.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/// A TCP relay between a client and the server, so a test can lose what a client sends on its
/// delivery WebSocket (an ack) or what the server sends on it (an answer), and then cut the
/// connection, as a bad network would. It also counts the client's `POST /v1/messages` requests,
/// so a test can tell which way a send went.
final class TcpProxy implements AutoCloseable {
    /// The start of a send's request line. Bodies are JSON with base64 ciphertexts, and WebSocket
    /// frames from a client are masked, so these bytes appear nowhere else.
    private static final String MESSAGE_POST = "POST /v1/messages HTTP/";

    private final ServerSocket listener;
    private final int targetPort;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private final AtomicInteger messagePosts = new AtomicInteger();
    private volatile boolean closed;

    /// One relayed connection. `webSocket` once it carried the upgrade request.
    private static final class Link {
        final Socket client;
        final Socket server;
        volatile boolean webSocket;
        volatile boolean dropUpstream;
        volatile boolean dropDownstream;
        /// The last bytes the client sent, read by the one upstream thread: a request line split
        /// between two reads is still counted.
        String upstreamTail = "";

        Link(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void close() {
            try {
                client.close();
            } catch (IOException ignored) {
                // Closing anyway.
            }
            try {
                server.close();
            } catch (IOException ignored) {
                // Closing anyway.
            }
        }
    }

    TcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("proxy-accept").start(this::acceptLoop);
    }

    String baseUrl() {
        return "http://127.0.0.1:" + listener.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                var link = new Link(client, server);
                links.add(link);
                Thread.ofVirtual().start(() -> pipe(link, client, server, true));
                Thread.ofVirtual().start(() -> pipe(link, server, client, false));
            } catch (IOException e) {
                if (closed) return;
            }
        }
    }

    private void pipe(Link link, Socket from, Socket to, boolean upstream) {
        byte[] buf = new byte[16384];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                // A pooled HTTP connection may carry the upgrade too, so look at each request's start.
                if (upstream && !link.webSocket
                        && new String(buf, 0, Math.min(n, 64), StandardCharsets.ISO_8859_1).startsWith("GET /v1/websocket")) {
                    link.webSocket = true;
                }
                if (upstream && !link.webSocket) countMessagePosts(link, buf, n);
                if (upstream ? link.dropUpstream : link.dropDownstream) continue;
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException ignored) {
            // The other side went away.
        } finally {
            link.close();
            links.remove(link);
        }
    }

    private void countMessagePosts(Link link, byte[] buf, int n) {
        String seen = link.upstreamTail + new String(buf, 0, n, StandardCharsets.ISO_8859_1);
        for (int at = seen.indexOf(MESSAGE_POST); at >= 0; at = seen.indexOf(MESSAGE_POST, at + 1)) {
            messagePosts.incrementAndGet();
        }
        // One byte short of a whole request line, so none is counted twice.
        link.upstreamTail = seen.substring(Math.max(0, seen.length() - (MESSAGE_POST.length() - 1)));
    }

    /// How many `POST /v1/messages` requests clients have sent through this proxy.
    int messagePosts() {
        return messagePosts.get();
    }

    /// From now on, whatever the client sends on its current delivery WebSockets is lost.
    /// Returns how many WebSockets were affected.
    int blackholeWebSocketUpstream() {
        return blackholeWebSockets(true);
    }

    /// From now on, whatever the server sends on the current delivery WebSockets is lost.
    /// Returns how many WebSockets were affected.
    int blackholeWebSocketDownstream() {
        return blackholeWebSockets(false);
    }

    private int blackholeWebSockets(boolean upstream) {
        int n = 0;
        for (Link l : links) {
            if (l.webSocket) {
                if (upstream) l.dropUpstream = true;
                else l.dropDownstream = true;
                n++;
            }
        }
        return n;
    }

    /// Cuts the delivery WebSockets that were black-holed; new connections pass normally.
    void cutBlackholed() {
        for (Link l : links) if (l.dropUpstream || l.dropDownstream) l.close();
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // Closing anyway.
        }
        links.forEach(Link::close);
    }
}
