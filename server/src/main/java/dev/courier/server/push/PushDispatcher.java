package dev.courier.server.push;

import dev.courier.server.accounts.DeviceAddress;
import dev.courier.server.config.ServerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/// Sends wake-ups to offline devices without ever holding up a send.
///
/// [#wake] runs on the commit path, so it only consults the coalescer and offers the device to a
/// bounded queue; it never blocks and never touches the network or the database. A fixed number of
/// worker (virtual) threads take from the queue, look up the subscription and hand it to the
/// provider of its kind. That worker count is the cap on concurrent requests to push services, and
/// every request has a timeout, so a slow or dead push service can hold at most that many workers
/// for at most that long. When the queue is full, wake-ups are dropped and counted: the envelopes
/// are safe in storage and the device gets them when it next connects.
public final class PushDispatcher implements DeviceWaker, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PushDispatcher.class);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

    private record Job(DeviceAddress device, int attempt) {}

    private final SubscriptionStore store;
    private final Map<String, PushProvider> providers;
    private final Predicate<DeviceAddress> connected;
    private final ServerConfig.Push config;
    private final WakeUpCoalescer coalescer;
    private final BlockingQueue<Job> queue;
    private final ScheduledExecutorService timer;
    private final List<Thread> workers = new ArrayList<>();
    private final Counter sent;
    private final Counter failed;
    private final Counter coalesced;
    private final Counter pruned;
    private final Counter dropped;
    private final Counter retried;
    private final Counter unsubscribed;
    private volatile boolean closed;

    /// `connected` tells whether a device holds a live connection right now: a wake-up still
    /// queued or waiting to retry when its device connects is skipped.
    public PushDispatcher(SubscriptionStore store, List<PushProvider> providers, Predicate<DeviceAddress> connected,
                          ServerConfig.Push config, Clock clock, MeterRegistry metrics) {
        this.store = store;
        this.providers = providers.stream().collect(Collectors.toUnmodifiableMap(PushProvider::kind, Function.identity()));
        this.connected = connected;
        this.config = config;
        this.coalescer = new WakeUpCoalescer(config.coalesceInterval(), clock);
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        this.sent = counter(metrics, "courier.push.sent", "wake-ups accepted by a push service");
        this.failed = counter(metrics, "courier.push.failed", "wake-ups given up after a permanent failure or the last retry");
        this.coalesced = counter(metrics, "courier.push.coalesced", "wake-ups not sent because one went to the device within the interval");
        this.pruned = counter(metrics, "courier.push.pruned", "subscriptions removed because the push service said they are gone");
        this.dropped = counter(metrics, "courier.push.dropped", "wake-ups dropped because the push queue was full");
        this.retried = counter(metrics, "courier.push.retried", "delivery attempts scheduled again after a transient failure");
        this.unsubscribed = counter(metrics, "courier.push.unavailable", "wake-ups for devices with no push subscription");
        Gauge.builder("courier.push.queued", queue, BlockingQueue::size).description("wake-ups waiting for a worker").register(metrics);
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("push-timer").factory());
        long purgeEvery = Math.max(1000, config.coalesceInterval().toMillis());
        timer.scheduleWithFixedDelay(coalescer::purge, purgeEvery, purgeEvery, TimeUnit.MILLISECONDS);
        for (int i = 0; i < config.maxConcurrency(); i++) {
            workers.add(Thread.ofVirtual().name("push-worker-" + i).start(this::work));
        }
    }

    private static Counter counter(MeterRegistry metrics, String name, String description) {
        return Counter.builder(name).description(description).register(metrics);
    }

    @Override
    public void wake(DeviceAddress device) {
        if (closed) return;
        if (!coalescer.admit(device)) {
            coalesced.increment();
            return;
        }
        enqueue(new Job(device, 1));
    }

    /// The device connected; the next envelope after it leaves needs a fresh wake-up.
    public void deviceConnected(DeviceAddress device) {
        coalescer.connected(device);
    }

    private void enqueue(Job job) {
        if (!queue.offer(job)) {
            dropped.increment();
            // Let the next envelope try again rather than coalescing against a push never sent.
            coalescer.connected(job.device());
        }
    }

    private void work() {
        while (!closed) {
            Job job;
            try {
                job = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                attempt(job);
            } catch (RuntimeException e) {
                // A storage failure looking up the subscription: transient as far as we can tell.
                log.warn("push attempt failed: {}", e.toString());
                retry(job, Optional.empty());
            }
        }
    }

    private void attempt(Job job) {
        if (connected.test(job.device())) return;
        Optional<Subscription> found = store.find(job.device());
        if (found.isEmpty()) {
            unsubscribed.increment();
            return;
        }
        Subscription subscription = found.get();
        PushProvider provider = providers.get(subscription.kind());
        if (provider == null) {
            failed.increment();
            log.warn("no push provider for subscriptions of kind '{}'", subscription.kind());
            return;
        }
        switch (provider.deliver(subscription)) {
            case PushOutcome.Accepted a -> sent.increment();
            case PushOutcome.Gone gone -> {
                if (store.removeIfEndpoint(job.device(), subscription.endpoint())) pruned.increment();
                log.info("push subscription of device {} removed: the push service answered {}", job.device(), gone.status());
            }
            case PushOutcome.Retry r -> {
                log.debug("push to device {} will be retried: {}", job.device(), r.reason());
                retry(job, Optional.ofNullable(r.after()));
            }
            case PushOutcome.Failed f -> {
                failed.increment();
                log.warn("push to device {} failed: {}", job.device(), f.reason());
            }
        }
    }

    private void retry(Job job, Optional<Duration> after) {
        if (job.attempt() >= config.maxAttempts() || closed) {
            failed.increment();
            return;
        }
        retried.increment();
        long delay = Math.max(backoff(job.attempt()).toMillis(), after.map(Duration::toMillis).orElse(0L));
        delay = Math.min(delay, MAX_BACKOFF.toMillis());
        timer.schedule(() -> enqueue(new Job(job.device(), job.attempt() + 1)), delay, TimeUnit.MILLISECONDS);
    }

    /// Exponential backoff with full jitter, so that many devices behind one failing push
    /// service do not all retry in the same instant.
    private static Duration backoff(int attempt) {
        long ceiling = Math.min(MAX_BACKOFF.toMillis(), FIRST_BACKOFF.toMillis() << Math.min(attempt - 1, 20));
        return Duration.ofMillis(ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1));
    }

    /// Stops the workers. Wake-ups still queued are dropped: their envelopes are in storage, and
    /// the devices get them on their next connection or their next wake-up.
    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        workers.forEach(Thread::interrupt);
        for (Thread worker : workers) {
            try {
                worker.join(Duration.ofSeconds(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
