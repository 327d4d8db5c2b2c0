package dev.courier.server;

import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.courier.protocol.WireJson;
import dev.courier.server.accounts.AccountService;
import dev.courier.server.accounts.AccountStore;
import dev.courier.server.cluster.Coordination;
import dev.courier.server.config.ServerConfig;
import dev.courier.server.delivery.Dispatcher;
import dev.courier.server.delivery.Presence;
import dev.courier.server.http.HttpApi;
import dev.courier.server.keys.KeyService;
import dev.courier.server.messages.ExpiryReaper;
import dev.courier.server.messages.MessageService;
import dev.courier.server.messages.MessageStore;
import dev.courier.server.push.EndpointPolicy;
import dev.courier.server.push.SubscriptionService;
import dev.courier.server.push.WakeUps;
import dev.courier.server.storage.Storage;
import dev.courier.server.storage.postgres.PostgresStorage;
import dev.courier.server.storage.sqlite.SqliteStorage;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/// The composition root: wires the server from plain constructors, starts it, and shuts it down
/// in the order that keeps every acknowledged message.
public final class CourierServer implements AutoCloseable {
    /// WebSocket close code sent to a device whose registration was removed.
    public static final int CLOSE_DEVICE_REMOVED = 4001;
    private static final Logger log = LoggerFactory.getLogger(CourierServer.class);

    private final Storage storage;
    private final ExpiryReaper reaper;
    private final Coordination coordination;
    private final ExecutorService executor;
    private final HttpApi http;
    private final JvmGcMetrics gcMetrics;
    private final PrometheusMeterRegistry metrics;
    private final WakeUps wakeUps;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private CourierServer(ServerConfig config, Clock clock) {
        ObjectMapper mapper = WireJson.newMapper();
        // Jackson's default buffer pool is per thread; every request and socket task here runs on
        // a fresh virtual thread, so that pool never reuses a buffer. A shared pool does.
        mapper.getFactory().setRecyclerPool(JsonRecyclerPools.sharedConcurrentDequePool());
        metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(metrics);
        new JvmThreadMetrics().bindTo(metrics);
        new ProcessorMetrics().bindTo(metrics);
        gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(metrics);

        storage = openStorage(config.storage(), metrics);
        AccountStore accountStore = storage.accounts();
        MessageStore messageStore = storage.messages();
        executor = Executors.newVirtualThreadPerTaskExecutor();

        coordination = Coordination.create(config.cluster(), metrics);
        Presence presence = coordination.presence();
        wakeUps = WakeUps.create(config.push(), storage.subscriptions(), storage.vapidKeys()::loadOrCreate,
                device -> presence.local(device).isPresent(), clock, metrics);
        presence.onAttach(wakeUps::deviceConnected);
        var dispatcher = new Dispatcher(presence, wakeUps.waker(), metrics);
        messageStore.feedCommits(dispatcher);
        var keys = new KeyService(accountStore, storage.oneTimeKeys(), config.keys());
        var accounts = new AccountService(accountStore, keys, config.accounts(), clock,
                removed -> presence.local(removed).ifPresent(s -> s.close(CLOSE_DEVICE_REMOVED, "device removed")));
        var messages = new MessageService(accounts, accountStore, messageStore, dispatcher, config, clock, metrics);
        reaper = new ExpiryReaper(messageStore, dispatcher, config.messages(), clock, metrics);

        var subscriptions = new SubscriptionService(storage.subscriptions(),
                new EndpointPolicy(config.push().allowHttpLoopback()), clock);
        var services = new HttpApi.Services(accounts, keys, messages, messageStore, subscriptions,
                wakeUps.vapidPublicKey().orElse(null), presence, coordination.limiter(), metrics, storage::isHealthy, executor);
        http = new HttpApi(config, mapper, services);
    }

    private static Storage openStorage(ServerConfig.Storage config, MeterRegistry metrics) {
        return switch (config.backend()) {
            case SQLITE -> SqliteStorage.open(config.dataDir(), metrics);
            case POSTGRES -> PostgresStorage.open(config.postgres().orElseThrow(), metrics);
        };
    }

    /// Starts a server; the port in `config` may be 0 for an ephemeral one (see [#port()]).
    public static CourierServer start(ServerConfig config, Clock clock) {
        CourierServer server = new CourierServer(config, clock);
        try {
            server.http.start(config.http().host(), config.http().port());
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        server.reaper.start();
        log.info("Courier listening on {}:{} (data in {})", config.http().host(), server.port(), server.storage.database().describe());
        return server;
    }

    public int port() {
        return http.port();
    }

    /// The server's meters, as `/metrics` exposes them.
    public MeterRegistry metrics() {
        return metrics;
    }

    public ExpiryReaper expiryReaper() {
        return reaper;
    }

    /// Stops taking requests, lets commits already in flight finish, then closes the database.
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        reaper.close();
        try {
            http.close();
        } finally {
            wakeUps.close();
            coordination.close();
            executor.close();
            storage.close();
            gcMetrics.close();
        }
    }
}
