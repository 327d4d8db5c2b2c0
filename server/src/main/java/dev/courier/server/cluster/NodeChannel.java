package dev.courier.server.cluster;

import java.time.Duration;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/// This node's Redis channel: other nodes publish to it to reach a device whose socket is here.
///
/// Pub/sub is fire-and-forget, so the channel also reports when it is (re)subscribed: messages
/// published while it was not may be lost, and the presence layer answers that by catching up
/// from storage. A lost connection is retried with backoff for as long as the node runs.
final class NodeChannel implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeChannel.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

    private final Redis redis;
    private final String channel;
    private final BiConsumer<String, String> onMessage;
    private final Runnable onSubscribed;
    private final Thread thread;
    private volatile boolean closed;
    private volatile boolean subscribed;
    private volatile Jedis connection;
    private volatile JedisPubSub pubSub;

    NodeChannel(Redis redis, String channel, BiConsumer<String, String> onMessage, Runnable onSubscribed) {
        this.redis = redis;
        this.channel = channel;
        this.onMessage = onMessage;
        this.onSubscribed = onSubscribed;
        this.thread = Thread.ofPlatform().daemon().name("redis-subscriber").start(this::run);
    }

    boolean isSubscribed() {
        return subscribed;
    }

    private void run() {
        long backoffMs = 100;
        while (!closed) {
            try (Jedis jedis = redis.subscriberConnection()) {
                connection = jedis;
                JedisPubSub listener = new JedisPubSub() {
                    @Override
                    public void onSubscribe(String ch, int count) {
                        subscribed = true;
                        log.info("subscribed to Redis channel {}", ch);
                        onSubscribed.run();
                    }

                    @Override
                    public void onMessage(String ch, String message) {
                        onMessage.accept(ch, message);
                    }
                };
                pubSub = listener;
                jedis.subscribe(listener, channel);
                backoffMs = 100;
            } catch (RuntimeException e) {
                if (closed) return;
                if (subscribed) log.warn("lost the Redis channel {}: {}", channel, e.getMessage());
            } finally {
                subscribed = false;
                connection = null;
            }
            if (closed) return;
            try {
                Thread.sleep(backoffMs);
            } catch (InterruptedException e) {
                return;
            }
            backoffMs = Math.min(MAX_BACKOFF.toMillis(), backoffMs * 2);
        }
    }

    /// Checks the subscription end to end; a dead one is dropped so that [#run] reconnects.
    void ping() {
        JedisPubSub listener = pubSub;
        if (!subscribed || listener == null) return;
        try {
            listener.ping();
        } catch (RuntimeException e) {
            dropConnection();
        }
    }

    private void dropConnection() {
        Jedis jedis = connection;
        if (jedis != null) {
            try {
                jedis.getConnection().close();
            } catch (RuntimeException ignored) {
                // Already broken: the subscriber loop notices and reconnects.
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        JedisPubSub listener = pubSub;
        if (listener != null && subscribed) {
            try {
                listener.unsubscribe();
            } catch (RuntimeException ignored) {
                // The connection is gone anyway.
            }
        }
        dropConnection();
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
