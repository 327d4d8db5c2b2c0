package dev.courier.server.ratelimit;

import dev.courier.server.RateLimitedException;
import dev.courier.server.config.RateLimit;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/// In-process token buckets. Full buckets are forgotten periodically, so memory grows with the
/// number of recently active keys, not with every IP that ever connected.
public final class LocalRateLimiter implements RateLimiter, AutoCloseable {
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("rate-limit-sweeper").daemon(true).factory());

    public LocalRateLimiter(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        sweeper.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.MINUTES);
    }

    public LocalRateLimiter() {
        this(System::nanoTime);
    }

    /// Guarded by its own monitor; buckets are tiny and contention per key is low.
    private static final class Bucket {
        final RateLimit limit;
        double tokens;
        long updatedAt;

        Bucket(RateLimit limit, long now) {
            this.limit = limit;
            this.tokens = limit.permits();
            this.updatedAt = now;
        }

        synchronized long tryTake(long now) {
            refill(now);
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return (long) Math.ceil((1 - tokens) / limit.permitsPerNano());
        }

        synchronized boolean isFull(long now) {
            refill(now);
            return tokens >= limit.permits();
        }

        /// `now` is read before the bucket's monitor is taken, so a caller that was descheduled in
        /// between arrives with a time older than `updatedAt`. Such a time adds nothing; before,
        /// it subtracted tokens, and under load (a second's delay at 10^9 permits a second) a
        /// bucket that could not be empty answered 429.
        private void refill(long now) {
            if (now <= updatedAt) return;
            tokens = Math.min(limit.permits(), tokens + (now - updatedAt) * limit.permitsPerNano());
            updatedAt = now;
        }
    }

    @Override
    public void acquire(String key, RateLimit limit) {
        long now = nanoTime.getAsLong();
        Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket(limit, now));
        long waitNanos = bucket.tryTake(now);
        if (waitNanos > 0) {
            Duration retryAfter = Duration.ofNanos(waitNanos);
            throw new RateLimitedException("rate_limited", "too many requests; retry in "
                    + Math.max(1, retryAfter.toSeconds()) + "s", retryAfter);
        }
    }

    private void sweep() {
        long now = nanoTime.getAsLong();
        buckets.entrySet().removeIf(e -> e.getValue().isFull(now));
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
