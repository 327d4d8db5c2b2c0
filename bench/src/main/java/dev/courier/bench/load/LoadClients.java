package dev.courier.bench.load;

import java.net.URI;
import java.time.Duration;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

/// The generator's network side: one small thread pool and scheduler, an HTTP client for the
/// API, and a [SocketFleet] for WebSockets. The pool is small on purpose: the generator shares
/// the machine's cores with the server it measures.
public final class LoadClients implements AutoCloseable {
    private final QueuedThreadPool executor;
    private final ScheduledExecutorScheduler scheduler;
    private final HttpClient http;
    private final HttpApi api;
    private final SocketFleet sockets;

    public LoadClients(URI server, int httpConnections, int perAddress) {
        executor = new QueuedThreadPool(Math.max(8, 4 * Runtime.getRuntime().availableProcessors()), 4);
        executor.setName("bench");
        executor.setDaemon(true);
        scheduler = new ScheduledExecutorScheduler("bench-scheduler", true);
        ClientConnector connector = new ClientConnector();
        connector.setSelectors(1);
        connector.setExecutor(executor);
        connector.setScheduler(scheduler);
        http = new HttpClient(new HttpClientTransportOverHTTP(connector));
        http.setExecutor(executor);
        http.setScheduler(scheduler);
        http.setMaxConnectionsPerDestination(httpConnections);
        // Open loop: requests beyond the connections wait in the client, and that wait is latency.
        http.setMaxRequestsQueuedPerDestination(1 << 22);
        http.setIdleTimeout(120_000);
        try {
            executor.start();
            scheduler.start();
            http.start();
        } catch (Exception e) {
            throw new LoadException("cannot start the HTTP client: " + e.getMessage(), e);
        }
        api = new HttpApi(http, server);
        sockets = new SocketFleet(server, SourceAddresses.forTarget(server, perAddress), executor, scheduler, Duration.ofSeconds(20));
    }

    public HttpApi api() {
        return api;
    }

    public SocketFleet sockets() {
        return sockets;
    }

    @Override
    public void close() {
        sockets.close();
        try {
            http.stop();
            scheduler.stop();
            executor.stop();
        } catch (Exception ignored) {
            // Best effort at the end of a run.
        }
    }
}
