package dev.courier.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.server.RateLimitedException;
import dev.courier.server.config.RateLimit;
import dev.courier.server.testing.RedisTestKeys;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/// Rate limits shared across nodes, against the machine's real Redis.
class RedisRateLimiterTest {
    private RedisTestKeys keys;
    private Redis redisA;
    private Redis redisB;

    @BeforeEach
    void open() {
        keys = new RedisTestKeys();
        redisA = new Redis(RedisTestKeys.URL, keys.prefix());
        redisB = new Redis(RedisTestKeys.URL, keys.prefix());
    }

    @AfterEach
    void close() {
        redisA.close();
        redisB.close();
        keys.close();
    }

    @Test
    void twoNodesShareOneBucket() {
        var nodeA = new RedisRateLimiter(redisA);
        var nodeB = new RedisRateLimiter(redisB);
        RateLimit fivePerMinute = new RateLimit(5, Duration.ofMinutes(1));
        for (int i = 0; i < 5; i++) (i % 2 == 0 ? nodeA : nodeB).acquire("ip:10.0.0.1", fivePerMinute);

        assertThatThrownBy(() -> nodeA.acquire("ip:10.0.0.1", fivePerMinute)).isInstanceOf(RateLimitedException.class)
                .satisfies(e -> assertThat(((RateLimitedException) e).retryAfter()).isPositive()
                        .isLessThanOrEqualTo(Duration.ofSeconds(12)));
        assertThatThrownBy(() -> nodeB.acquire("ip:10.0.0.1", fivePerMinute)).isInstanceOf(RateLimitedException.class);
        // Another key has its own bucket.
        nodeB.acquire("ip:10.0.0.2", fivePerMinute);
        nodeA.close();
        nodeB.close();
    }

    @Test
    void aBucketRefillsWithTime() throws Exception {
        var limiter = new RedisRateLimiter(redisA);
        RateLimit tenPerSecond = new RateLimit(10, Duration.ofSeconds(1));
        for (int i = 0; i < 10; i++) limiter.acquire("k", tenPerSecond);
        assertThatThrownBy(() -> limiter.acquire("k", tenPerSecond)).isInstanceOf(RateLimitedException.class);
        Thread.sleep(250);
        limiter.acquire("k", tenPerSecond);
        limiter.close();
    }

    @Test
    void bucketsExpireSoNothingIsLeftBehind() throws Exception {
        var limiter = new RedisRateLimiter(redisA);
        limiter.acquire("short", new RateLimit(1, Duration.ofMillis(200)));
        assertThat(keys.count()).isEqualTo(1);
        Thread.sleep(1_500);
        assertThat(keys.count()).isZero();
        limiter.close();
    }

    @Test
    void withoutRedisEachNodeStillLimitsOnItsOwn() throws Exception {
        int deadPort;
        try (var s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        try (var unreachable = new Redis(URI.create("redis://127.0.0.1:" + deadPort), keys.prefix())) {
            var limiter = new RedisRateLimiter(unreachable);
            RateLimit two = new RateLimit(2, Duration.ofMinutes(1));
            limiter.acquire("k", two);
            limiter.acquire("k", two);
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> limiter.acquire("k", two)).isInstanceOf(RateLimitedException.class);
            // The breaker answers at once instead of waiting for a timeout on every request.
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(100));
            limiter.close();
        }
    }
}
