package dev.courier.server.cluster;

import dev.courier.server.RateLimitedException;
import dev.courier.server.config.RateLimit;
import dev.courier.server.ratelimit.LocalRateLimiter;
import dev.courier.server.ratelimit.RateLimiter;
import java.time.Duration;
import java.util.List;

/// Token buckets shared by every node, in Redis, so that a client spreading its requests over
/// the nodes gets the same limits as on one server.
///
/// Each bucket is a small hash updated by one script, atomically, with Redis's own clock, so
/// nodes whose clocks differ still agree. A bucket expires once it would be full again. While
/// Redis is unavailable the node falls back to its own in-memory buckets: limits stay in force,
/// per node, rather than failing every request.
public final class RedisRateLimiter implements RateLimiter, AutoCloseable {
    /// KEYS[1] bucket; ARGV[1] capacity, ARGV[2] permits per microsecond. Returns 0 when a permit
    /// was taken, else the microseconds until one will be there.
    private static final RedisScript TAKE = new RedisScript("""
            local capacity = tonumber(ARGV[1])
            local rate = tonumber(ARGV[2])
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
            local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
            local tokens = tonumber(b[1]) or capacity
            local at = tonumber(b[2]) or now
            tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
            local wait = 0
            if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) / rate) end
            redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
            redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / rate / 1000) + 1000)
            return wait""");

    private final Redis redis;
    private final LocalRateLimiter fallback = new LocalRateLimiter();

    public RedisRateLimiter(Redis redis) {
        this.redis = redis;
    }

    @Override
    public void acquire(String key, RateLimit limit) {
        long waitMicros;
        try {
            Object answer = redis.call(j -> TAKE.run(j, List.of(redis.key("rate:" + key)),
                    List.of(Integer.toString(limit.permits()), Double.toString(limit.permitsPerNano() * 1000))));
            waitMicros = (Long) answer;
        } catch (RedisUnavailableException e) {
            fallback.acquire(key, limit);
            return;
        }
        if (waitMicros > 0) {
            Duration retryAfter = Duration.ofNanos(waitMicros * 1000);
            throw new RateLimitedException("rate_limited", "too many requests; retry in "
                    + Math.max(1, retryAfter.toSeconds()) + "s", retryAfter);
        }
    }

    @Override
    public void close() {
        fallback.close();
    }
}
