package dev.courier.server.cluster;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.JedisURIHelper;

/// This node's connections to Redis, with short timeouts and a breaker.
///
/// Redis is on the send path (presence lookups, rate limits), so a Redis that is down or slow
/// must cost a send almost nothing: after a failure every call fails at once for [#OPEN_FOR],
/// and callers fall back (deliver through storage, limit locally). A message never depends on
/// Redis: it is committed to the database before Redis is asked anything.
public final class Redis implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Redis.class);
    static final Duration OPEN_FOR = Duration.ofSeconds(1);
    private static final int CONNECT_TIMEOUT_MS = 500;
    private static final int SOCKET_TIMEOUT_MS = 500;

    private final HostAndPort address;
    private final JedisClientConfig clientConfig;
    private final JedisClientConfig subscriberConfig;
    private final JedisPool pool;
    private final String prefix;
    private final AtomicLong openUntil = new AtomicLong();
    private volatile boolean down;

    public Redis(URI url, String keyPrefix) {
        this.address = JedisURIHelper.getHostAndPort(url);
        var builder = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(CONNECT_TIMEOUT_MS)
                .socketTimeoutMillis(SOCKET_TIMEOUT_MS)
                .user(JedisURIHelper.getUser(url))
                .password(JedisURIHelper.getPassword(url))
                .database(JedisURIHelper.getDBIndex(url))
                .ssl(JedisURIHelper.isRedisSSLScheme(url))
                .clientName("courier")
                .autoNegotiateProtocol(false);
        this.clientConfig = builder.build();
        // A subscriber waits for messages indefinitely; its liveness is checked by pings instead.
        this.subscriberConfig = builder.socketTimeoutMillis(0).build();
        var poolConfig = new GenericObjectPoolConfig<Jedis>();
        poolConfig.setMaxTotal(64);
        poolConfig.setMaxIdle(64);
        poolConfig.setMaxWait(Duration.ofMillis(CONNECT_TIMEOUT_MS));
        poolConfig.setJmxEnabled(false);
        this.pool = new JedisPool(poolConfig, address, clientConfig);
        this.prefix = keyPrefix;
    }

    /// Runs `work` on a pooled connection.
    ///
    /// @throws RedisUnavailableException when Redis failed just now or fails this call
    public <T> T call(Function<Jedis, T> work) {
        if (System.nanoTime() - openUntil.get() < 0) throw new RedisUnavailableException("Redis is unavailable");
        try (Jedis jedis = pool.getResource()) {
            T result = work.apply(jedis);
            if (down) {
                down = false;
                log.info("Redis at {} is reachable again", address);
            }
            return result;
        } catch (JedisException e) {
            openUntil.set(System.nanoTime() + OPEN_FOR.toNanos());
            if (!down) {
                down = true;
                log.warn("Redis at {} is unavailable ({}); delivering through storage until it returns", address, e.getMessage());
            }
            throw new RedisUnavailableException("Redis is unavailable: " + e.getMessage());
        }
    }

    /// A dedicated connection for a subscriber, outside the pool: `SUBSCRIBE` holds it.
    public Jedis subscriberConnection() {
        return new Jedis(address, subscriberConfig);
    }

    public String key(String name) {
        return prefix + name;
    }

    public boolean isDown() {
        return down;
    }

    @Override
    public void close() {
        pool.close();
    }
}
