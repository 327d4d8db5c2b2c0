package dev.courier.server.cluster;

import dev.courier.server.config.ServerConfig;
import dev.courier.server.delivery.LocalPresence;
import dev.courier.server.delivery.Presence;
import dev.courier.server.ratelimit.LocalRateLimiter;
import dev.courier.server.ratelimit.RateLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;

/// What a node shares with its peers: where each device is connected, and the rate-limit
/// buckets. The embedded server keeps both in its own memory; a cluster keeps them in Redis.
public record Coordination(Presence presence, RateLimiter limiter, List<AutoCloseable> resources)
        implements AutoCloseable {

    public static Coordination create(ServerConfig.Cluster config, MeterRegistry metrics) {
        if (!config.enabled()) {
            var limiter = new LocalRateLimiter();
            return new Coordination(new LocalPresence(), limiter, List.of(limiter));
        }
        var redis = new Redis(config.redisUrl().orElseThrow(), config.keyPrefix());
        var presence = new RedisPresence(redis, config.nodeId(), config.presenceTtl(), config.catchUpInterval(), metrics);
        var limiter = new RedisRateLimiter(redis);
        // Closed in this order: stop using Redis, then close its connections.
        return new Coordination(presence, limiter, List.of(presence, limiter, redis));
    }

    @Override
    public void close() {
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(Coordination.class).warn("closing {} failed: {}", resource, e.toString());
            }
        }
    }
}
