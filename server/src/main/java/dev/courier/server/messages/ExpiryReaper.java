package dev.courier.server.messages;

import dev.courier.server.config.ServerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/// Deletes envelopes that stayed undelivered past the TTL and tells their senders which message
/// IDs expired. Nothing is dropped silently: every expiry produces a notice to the sender's devices.
public final class ExpiryReaper implements AutoCloseable {
    static final String EXPIRED = "courier.envelopes.expired";
    private static final Logger log = LoggerFactory.getLogger(ExpiryReaper.class);
    private static final int BATCH = 1000;

    private final MessageStore store;
    private final QueueListener listener;
    private final ServerConfig.Messages config;
    private final Clock clock;
    private final Counter expired;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("expiry-reaper").daemon(true).factory());

    public ExpiryReaper(MessageStore store, QueueListener listener, ServerConfig.Messages config, Clock clock,
                        MeterRegistry metrics) {
        this.store = store;
        this.listener = listener;
        this.config = config;
        this.clock = clock;
        this.expired = metrics.counter(EXPIRED);
    }

    public void start() {
        long period = config.expiryInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::runSafely, period, period, TimeUnit.MILLISECONDS);
    }

    /// One full pass; returns how many envelopes expired. Tests call it directly with a moved clock.
    public synchronized int reapNow() {
        long now = clock.millis();
        int total = 0;
        Set<dev.courier.server.accounts.DeviceAddress> notified = new HashSet<>();
        ExpiryResult result;
        do {
            result = store.expire(now, now + config.ttl().toMillis(), BATCH);
            total += result.expired();
            notified.addAll(result.notified());
        } while (result.expired() == BATCH);
        store.purgeSent(now - config.ttl().toMillis());
        if (total > 0) {
            expired.increment(total);
            log.info("expired {} undelivered envelopes; notified {} sender devices", total, notified.size());
            listener.envelopesQueued(notified);
        }
        return total;
    }

    private void runSafely() {
        try {
            reapNow();
        } catch (RuntimeException e) {
            log.error("expiry pass failed; will retry next interval", e);
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
