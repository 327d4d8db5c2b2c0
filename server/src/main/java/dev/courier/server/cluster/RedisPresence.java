package dev.courier.server.cluster;

import dev.courier.server.accounts.DeviceAddress;
import dev.courier.server.delivery.DeliverySession;
import dev.courier.server.delivery.LocalPresence;
import dev.courier.server.delivery.Presence;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.params.SetParams;

/// [Presence] for a cluster: sockets live on whichever node a device reached, and Redis maps
/// each device to that node (`<prefix>presence:<device>` → node ID, with a TTL the node keeps
/// refreshing). A send on node A that finds its recipient's socket on node B publishes a signal
/// on B's channel, and B's session reads the queue from the shared database: no polling.
///
/// Redis only ever carries "look at your queue", never a message. When it is down or a signal is
/// lost, nothing is lost with it: every session on this node re-reads its queue every
/// `cluster.catchUpInterval` until the channel is back, and once more right after.
public final class RedisPresence implements Presence, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisPresence.class);
    private static final String SIGNAL = "s:";
    private static final String REPLACED = "r:";
    /// Deletes the presence key only while it still names this node: a device that moved to
    /// another node meanwhile keeps its new entry.
    private static final RedisScript RELEASE = new RedisScript("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0""");
    /// Refreshes the TTL unless another node has claimed the device since.
    private static final RedisScript REFRESH = new RedisScript("""
            local v = redis.call('GET', KEYS[1])
            if v == false or v == ARGV[1] then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end return 0""");
    /// Looks up the device's node and publishes the signal on its channel, in one round trip.
    /// KEYS[1] presence key; ARGV[1] this node, ARGV[2] channel prefix, ARGV[3] message. Returns
    /// the number of receivers, or -1 when the device is on no other node.
    private static final RedisScript SIGNAL_REMOTE = new RedisScript("""
            local node = redis.call('GET', KEYS[1])
            if node == false or node == ARGV[1] then return -1 end
            return redis.call('PUBLISH', ARGV[2] .. node, ARGV[3])""");

    private final LocalPresence local = new LocalPresence();
    private final Redis redis;
    private final String nodeId;
    private final long ttlMillis;
    private final NodeChannel channel;
    private final ScheduledExecutorService timer;
    private final Counter remoteSignals;
    private final Counter catchUps;

    public RedisPresence(Redis redis, String nodeId, Duration ttl, Duration catchUpInterval, MeterRegistry metrics) {
        this.redis = redis;
        this.nodeId = nodeId.isEmpty() ? UUID.randomUUID().toString() : nodeId;
        this.ttlMillis = ttl.toMillis();
        this.remoteSignals = Counter.builder("courier.cluster.signals.sent")
                .description("queue signals published to the node holding the device's socket").register(metrics);
        this.catchUps = Counter.builder("courier.cluster.catchups")
                .description("passes re-reading every local queue because Redis signals may have been missed").register(metrics);
        this.channel = new NodeChannel(redis, channelOf(this.nodeId), (ch, message) -> onMessage(message), this::onSubscribed);
        Gauge.builder("courier.cluster.redis.connected", channel, c -> c.isSubscribed() && !redis.isDown() ? 1 : 0)
                .description("1 while this node's Redis channel is subscribed and Redis answers").register(metrics);
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("cluster-presence").factory());
        long refreshEvery = Math.max(1000, ttlMillis / 3);
        timer.scheduleWithFixedDelay(this::refresh, refreshEvery, refreshEvery, TimeUnit.MILLISECONDS);
        long catchUpEvery = catchUpInterval.toMillis();
        timer.scheduleWithFixedDelay(this::catchUpIfDegraded, catchUpEvery, catchUpEvery, TimeUnit.MILLISECONDS);
        log.info("cluster node {} (Redis presence, key prefix '{}')", this.nodeId, redis.key(""));
    }

    public String nodeId() {
        return nodeId;
    }

    private String presenceKey(DeviceAddress device) {
        return redis.key("presence:" + device);
    }

    private String channelOf(String node) {
        return redis.key("node:") + node;
    }

    @Override
    public Optional<DeliverySession> attach(DeliverySession session) {
        Optional<DeliverySession> replaced = local.attach(session);
        try {
            // Claimed before the session's first read of its queue (the caller signals it next),
            // so a send committed after this claim finds it, and one committed before is read.
            String previous = redis.call(j -> j.setGet(presenceKey(session.device()), nodeId, SetParams.setParams().px(ttlMillis)));
            if (previous != null && !previous.equals(nodeId)) {
                redis.call(j -> j.publish(channelOf(previous), REPLACED + session.device()));
            }
        } catch (RedisUnavailableException e) {
            // Catch-up delivers to this session until Redis returns; the claim is redone then.
        }
        return replaced;
    }

    @Override
    public void detach(DeliverySession session) {
        local.detach(session);
        if (local.local(session.device()).isPresent()) return;
        try {
            redis.call(j -> RELEASE.run(j, List.of(presenceKey(session.device())), List.of(nodeId)));
        } catch (RedisUnavailableException e) {
            // The entry expires after its TTL; signals to it until then reach no session and are harmless.
        }
    }

    @Override
    public boolean signal(DeviceAddress device) {
        if (local.signal(device)) return true;
        try {
            long receivers = (Long) redis.call(j -> SIGNAL_REMOTE.run(j, List.of(presenceKey(device)),
                    List.of(nodeId, redis.key("node:"), SIGNAL + device)));
            // -1: on no other node. 0: that node is gone, and its entry has not expired yet.
            if (receivers <= 0) return false;
            remoteSignals.increment();
            return true;
        } catch (RedisUnavailableException e) {
            // Unknown: treat the device as offline (it gets a wake-up); if it is connected to
            // another node, that node's catch-up delivers within cluster.catchUpInterval.
            return false;
        }
    }

    @Override
    public Optional<DeliverySession> local(DeviceAddress device) {
        return local.local(device);
    }

    @Override
    public int localCount() {
        return local.localCount();
    }

    @Override
    public void onAttach(Consumer<DeviceAddress> listener) {
        local.onAttach(listener);
    }

    private void onMessage(String message) {
        DeviceAddress device = parse(message.substring(2));
        if (device == null) return;
        if (message.startsWith(SIGNAL)) {
            local.signal(device);
        } else if (message.startsWith(REPLACED)) {
            local.local(device).ifPresent(s -> s.close(DeliverySession.CLOSE_REPLACED, "replaced by a newer connection"));
        }
    }

    private static DeviceAddress parse(String text) {
        int dot = text.lastIndexOf('.');
        try {
            return new DeviceAddress(UUID.fromString(text.substring(0, dot)), Integer.parseInt(text.substring(dot + 1)));
        } catch (RuntimeException e) {
            return null;
        }
    }

    /// (Re)subscribed: Redis may have restarted empty, and signals may have been missed while the
    /// channel was down. Claim every local device again, then have every session re-read its queue.
    private void onSubscribed() {
        timer.execute(() -> {
            refresh();
            catchUp();
        });
    }

    private void refresh() {
        List<DeliverySession> sessions = new ArrayList<>(local.sessions());
        if (sessions.isEmpty()) return;
        try {
            for (int from = 0; from < sessions.size(); from += 1000) {
                List<DeliverySession> chunk = sessions.subList(from, Math.min(sessions.size(), from + 1000));
                redis.call(j -> {
                    REFRESH.load(j);
                    Pipeline p = j.pipelined();
                    for (DeliverySession s : chunk) {
                        REFRESH.queue(p, List.of(presenceKey(s.device())), List.of(nodeId, Long.toString(ttlMillis)));
                    }
                    p.sync();
                    return null;
                });
            }
        } catch (RedisUnavailableException e) {
            // Retried at the next refresh; catch-up covers delivery meanwhile.
        }
    }

    private void catchUpIfDegraded() {
        if (!channel.isSubscribed() || redis.isDown()) catchUp();
        channel.ping();
    }

    private void catchUp() {
        catchUps.increment();
        for (DeliverySession s : local.sessions()) s.signal();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        channel.close();
    }
}
