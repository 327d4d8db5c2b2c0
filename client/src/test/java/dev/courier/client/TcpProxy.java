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

/// A TCP relay between a client and the server, so a test can lose what a client sends on its
/// delivery WebSocket (an ack) and then cut the connection, as a bad network would.
final class TcpProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final int targetPort;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    /// One relayed connection. `webSocket` once it carried the upgrade request.
    private static final class Link {
        final Socket client;
        final Socket server;
        volatile boolean webSocket;
        volatile boolean dropUpstream;

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
                if (upstream && link.dropUpstream) continue;
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

    /// From now on, whatever the client sends on its current delivery WebSockets is lost.
    /// Returns how many WebSockets were affected.
    int blackholeWebSocketUpstream() {
        int n = 0;
        for (Link l : links) {
            if (l.webSocket) {
                l.dropUpstream = true;
                n++;
            }
        }
        return n;
    }

    /// Cuts the delivery WebSockets that were black-holed; new connections pass normally.
    void cutBlackholed() {
        for (Link l : links) if (l.dropUpstream) l.close();
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
