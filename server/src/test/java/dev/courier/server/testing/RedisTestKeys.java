package dev.courier.server.testing;

import java.net.URI;
import java.util.UUID;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;

/// A key prefix of its own on the machine's Redis (127.0.0.1:6379) for one test, and the
/// clean-up of every key under it afterwards.
public final class RedisTestKeys implements AutoCloseable {
    public static final URI URL = URI.create(System.getenv().getOrDefault("COURIER_TEST_REDIS_URL", "redis://127.0.0.1:6379"));
    private final String prefix = "courier-test-" + UUID.randomUUID().toString().substring(0, 8) + ":";

    public RedisTestKeys() {
        try (var jedis = new Jedis(URL)) {
            jedis.ping();
        } catch (RuntimeException e) {
            throw new IllegalStateException("Redis is not reachable at " + URL + " (start it: see .ci/run): " + e.getMessage(), e);
        }
    }

    public String prefix() {
        return prefix;
    }

    public long count() {
        try (var jedis = new Jedis(URL)) {
            return jedis.scan("0", new ScanParams().match(prefix + "*").count(1000)).getResult().size();
        }
    }

    @Override
    public void close() {
        try (var jedis = new Jedis(URL)) {
            String cursor = "0";
            do {
                var page = jedis.scan(cursor, new ScanParams().match(prefix + "*").count(1000));
                if (!page.getResult().isEmpty()) jedis.del(page.getResult().toArray(String[]::new));
                cursor = page.getCursor();
            } while (!cursor.equals("0"));
        }
    }
}
