package dev.courier.server.testing;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
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
            return keys(jedis).size();
        }
    }

    @Override
    public void close() {
        try (var jedis = new Jedis(URL)) {
            List<String> keys = keys(jedis);
            if (!keys.isEmpty()) jedis.del(keys.toArray(String[]::new));
        }
    }

    /// Every key under the prefix. `SCAN` may return any page empty while matches remain, so the
    /// cursor is followed to the end.
    private List<String> keys(Jedis jedis) {
        List<String> keys = new ArrayList<>();
        String cursor = "0";
        do {
            var page = jedis.scan(cursor, new ScanParams().match(prefix + "*").count(1000));
            keys.addAll(page.getResult());
            cursor = page.getCursor();
        } while (!cursor.equals("0"));
        return keys;
    }
}
