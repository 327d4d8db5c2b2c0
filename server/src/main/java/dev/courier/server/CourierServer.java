package dev.courier.server;

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
import dev.courier.server.push.DeviceWaker;
import dev.courier.server.push.EndpointPolicy;
import dev.courier.server.push.NoPushProvider;
import dev.courier.server.push.PushDispatcher;
import dev.courier.server.push.SubscriptionService;
import dev.courier.server.push.webpush.VapidKeys;
import dev.courier.server.push.webpush.VapidSigner;
import dev.courier.server.push.webpush.WebPushProvider;
import dev.courier.server.storage.sqlite.SqliteAccountStore;
import dev.courier.server.storage.sqlite.SqliteDatabase;
import dev.courier.server.storage.sqlite.SqliteMessageStore;
import dev.courier.server.storage.sqlite.SqliteOneTimeKeyStore;
import dev.courier.server.storage.sqlite.SqlitePushSubscriptionStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/// The composition root: wires the embedded server from plain constructors, starts it, and
/// shuts it down in the order that keeps every acknowledged message.
public final class CourierServer implements AutoCloseable {
    /// WebSocket close code sent to a device whose registration was removed.
    public static final int CLOSE_DEVICE_REMOVED = 4001;
    private static final Logger log = LoggerFactory.getLogger(CourierServer.class);

    private final SqliteDatabase db;
    private final ExpiryReaper reaper;
    private final Coordination coordination;
    private final ExecutorService executor;
    private final HttpApi http;
    private final JvmGcMetrics gcMetrics;
    private final PrometheusMeterRegistry metrics;
    private PushDispatcher pushDispatcher;
    private WebPushProvider webPush;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private CourierServer(ServerConfig config, Clock clock) {
        ObjectMapper mapper = WireJson.newMapper();
        metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(metrics);
        new JvmThreadMetrics().bindTo(metrics);
        new ProcessorMetrics().bindTo(metrics);
        gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(metrics);

        db = new SqliteDatabase(config.storage().dataDir(), metrics);
        AccountStore accountStore = new SqliteAccountStore(db);
        MessageStore messageStore = new SqliteMessageStore(db);
        executor = Executors.newVirtualThreadPerTaskExecutor();

        coordination = Coordination.create(config.cluster(), metrics);
        Presence presence = coordination.presence();
        var subscriptionStore = new SqlitePushSubscriptionStore(db);
        DeviceWaker waker = new NoPushProvider(metrics);
        String vapidPublicKey = null;
        if (config.push().enabled()) {
            VapidKeys vapid = VapidKeys.loadOrCreate(config.storage().dataDir());
            vapidPublicKey = vapid.publicKeyBase64Url();
            webPush = new WebPushProvider(new VapidSigner(vapid, config.push().contact(), clock), config.push());
            pushDispatcher = new PushDispatcher(subscriptionStore, List.of(webPush),
                    device -> presence.local(device).isPresent(), config.push(), clock, metrics);
            presence.onAttach(pushDispatcher::deviceConnected);
            waker = pushDispatcher;
        }
        var dispatcher = new Dispatcher(presence, waker, metrics);
        var keys = new KeyService(accountStore, new SqliteOneTimeKeyStore(db), config.keys());
        var accounts = new AccountService(accountStore, keys, config.accounts(), clock,
                removed -> presence.local(removed).ifPresent(s -> s.close(CLOSE_DEVICE_REMOVED, "device removed")));
        var messages = new MessageService(accounts, accountStore, messageStore, dispatcher, config, clock, metrics);
        reaper = new ExpiryReaper(messageStore, dispatcher, config.messages(), clock, metrics);

        var subscriptions = new SubscriptionService(subscriptionStore,
                new EndpointPolicy(config.push().allowHttpLoopback()), clock);
        var services = new HttpApi.Services(accounts, keys, messages, messageStore, subscriptions, vapidPublicKey,
                presence, coordination.limiter(), metrics, db::isHealthy, executor);
        http = new HttpApi(config, mapper, services);
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
        log.info("Courier listening on {}:{} (data in {})", config.http().host(), server.port(), config.storage().dataDir());
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
            if (pushDispatcher != null) pushDispatcher.close();
            if (webPush != null) webPush.close();
            coordination.close();
            executor.close();
            db.close();
            gcMetrics.close();
        }
    }
}
