package dev.courier.bench.load;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.Scheduler;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/// Many delivery WebSockets on a few selector threads.
///
/// One Jetty [WebSocketClient] per source address (see [SourceAddresses]), all sharing one small
/// thread pool and scheduler: a connection costs buffers and a socket, never a thread. Sockets
/// are pinged every `pingEvery`, as docs/API.md §8 asks of clients, so the server's idle timeout
/// does not close the idle ones.
///
/// Thread-safe: `connect` may be called from any thread.
public final class SocketFleet implements AutoCloseable {
    private final URI websocket;
    private final SourceAddresses addresses;
    private final QueuedThreadPool executor;
    private final Scheduler scheduler;
    private final List<WebSocketClient> clients = new ArrayList<>();
    private final AckFlusher acks = new AckFlusher(DeliverySocket.ACK_DELAY_MICROS, TimeUnit.MICROSECONDS);
    private final Queue<DeliverySocket> sockets = new ConcurrentLinkedQueue<>();
    private long connections;

    public SocketFleet(URI server, SourceAddresses addresses, QueuedThreadPool executor, Scheduler scheduler, Duration pingEvery) {
        this.websocket = URI.create(server.toString().replaceFirst("^http", "ws")).resolve("/v1/websocket");
        this.addresses = addresses;
        this.executor = executor;
        this.scheduler = scheduler;
        long ms = pingEvery.toMillis();
        scheduler.schedule(new Runnable() {
            @Override
            public void run() {
                for (DeliverySocket s : sockets) s.ping();
                scheduler.schedule(this, ms, TimeUnit.MILLISECONDS);
            }
        }, ms, TimeUnit.MILLISECONDS);
    }

    /// Opens `device`'s socket; completes when the upgrade is done (not at `queue_empty`).
    public CompletableFuture<DeliverySocket> connect(BenchDevice device, DeliverySocket.Handler handler) {
        WebSocketClient client;
        synchronized (this) {
            client = client(addresses.slot(connections++));
        }
        DeliverySocket socket = new DeliverySocket(device, handler, acks);
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        request.setHeader("Authorization", device.authorization());
        try {
            return client.connect(socket, websocket, request).thenApply(session -> {
                sockets.add(socket);
                return socket;
            });
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /// How many source addresses are in use.
    public synchronized int addressesUsed() {
        return clients.size();
    }

    public long open() {
        return sockets.stream().filter(DeliverySocket::isOpen).count();
    }

    private WebSocketClient client(int slot) {
        while (clients.size() <= slot) {
            ClientConnector connector = new ClientConnector();
            connector.setSelectors(1);
            connector.setExecutor(executor);
            connector.setScheduler(scheduler);
            connector.setBindAddress(addresses.bindAddress(clients.size()));
            connector.setConnectTimeout(Duration.ofSeconds(30));
            HttpClient http = new HttpClient(new HttpClientTransportOverHTTP(connector));
            http.setExecutor(executor);
            http.setScheduler(scheduler);
            http.setMaxConnectionsPerDestination(1024);
            http.setMaxRequestsQueuedPerDestination(1 << 20);
            WebSocketClient client = new WebSocketClient(http);
            // The generator's side never times a socket out: the server's idle timeout is what is measured.
            client.setIdleTimeout(Duration.ZERO);
            client.setMaxTextMessageSize(8 << 20);
            try {
                client.start();
            } catch (Exception e) {
                throw new LoadException("cannot start a WebSocket client: " + e.getMessage(), e);
            }
            clients.add(client);
        }
        return clients.get(slot);
    }

    /// Closes every socket, then the clients.
    @Override
    public void close() {
        for (DeliverySocket s : sockets) s.close();
        acks.close();
        sockets.clear();
        synchronized (this) {
            for (WebSocketClient c : clients) {
                try {
                    c.stop();
                } catch (Exception ignored) {
                    // Stopping is best effort at the end of a run.
                }
            }
            clients.clear();
        }
    }
}
