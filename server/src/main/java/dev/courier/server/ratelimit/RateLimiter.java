package dev.courier.server.ratelimit;

import dev.courier.server.config.RateLimit;

/// Token buckets by key. The embedded server keeps them in memory ([LocalRateLimiter]); a
/// cluster shares them across nodes.
public interface RateLimiter {
    /// Takes one permit from the bucket `key`, which refills per `limit`.
    ///
    /// @throws dev.courier.server.RateLimitedException when the bucket is empty
    void acquire(String key, RateLimit limit);
}
