package dev.courier.server.ratelimit;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.server.RateLimitedException;
import dev.courier.server.config.RateLimit;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import org.junit.jupiter.api.Test;

class LocalRateLimiterTest {

    /// Times handed out in the order given, as callers that read the clock and then waited for
    /// the bucket would present them.
    private static LocalRateLimiter withTimes(Long... nanos) {
        var times = new ArrayDeque<>(List.of(nanos));
        return new LocalRateLimiter(times::removeFirst);
    }

    @Test
    void aCallerWithAnOlderTimeThanTheLastTakesATokenAndRemovesNoneBesides() {
        var hugeLimit = new RateLimit(1_000_000_000, Duration.ofSeconds(1));
        try (var limiter = withTimes(2_000_000_000L, 0L, 0L)) {
            limiter.acquire("ip:a", hugeLimit);
            // Two seconds "earlier": at 10^9 permits a second, subtracting that would empty the bucket.
            assertThatCode(() -> limiter.acquire("ip:a", hugeLimit)).doesNotThrowAnyException();
            assertThatCode(() -> limiter.acquire("ip:a", hugeLimit)).doesNotThrowAnyException();
        }
    }

    @Test
    void anEmptyBucketRefusesUntilTimeRefillsIt() {
        var twoPerSecond = new RateLimit(2, Duration.ofSeconds(1));
        try (var limiter = withTimes(0L, 0L, 0L, 500_000_000L)) {
            limiter.acquire("send:x", twoPerSecond);
            limiter.acquire("send:x", twoPerSecond);
            assertThatThrownBy(() -> limiter.acquire("send:x", twoPerSecond)).isInstanceOf(RateLimitedException.class);
            assertThatCode(() -> limiter.acquire("send:x", twoPerSecond)).doesNotThrowAnyException();
        }
    }
}
