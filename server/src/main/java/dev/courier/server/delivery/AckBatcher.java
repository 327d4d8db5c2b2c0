package dev.courier.server.delivery;

import dev.courier.server.accounts.DeviceAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/// The deletions that the acks of every connection of this node ask for, batched: while one
/// deletion waits for its commit, the acks that arrive meanwhile, from any device, gather and go
/// together in the next one. Under load the node's acks then cost one write per commit, not one
/// per `acks` frame: on SQLite every write is a unit on the one writer thread (its savepoint, its
/// queueing, its caller's wake-up), and at 10,000 sends a second the acks were half of them. An
/// ack that arrives alone is deleted at once.
///
/// Invariants:
/// - at most one flush runs at a time (`flushing`), on the executor;
/// - an ack added while a flush runs is taken by that flush or by the next one: the flush looks at
///   the queue again after it clears `flushing`;
/// - a deletion that fails is logged and not retried: the envelopes stay queued and are delivered
///   again on the devices' next connections, which at-least-once delivery allows.
public final class AckBatcher {
    private static final Logger log = LoggerFactory.getLogger(AckBatcher.class);
    /// GUIDs per deletion: a bound on one write unit's size.
    static final int MAX_BATCH = 4096;

    private record Ack(DeviceAddress device, UUID guid) {}

    private final Consumer<Map<DeviceAddress, List<UUID>>> delete;
    private final Executor executor;
    private final ConcurrentLinkedQueue<Ack> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean flushing = new AtomicBoolean();

    /// `delete` deletes the envelopes it is given, each only from its device's queue, and returns
    /// once that is committed (not always synced: see `MessageStore`).
    public AckBatcher(Consumer<Map<DeviceAddress, List<UUID>>> delete, Executor executor) {
        this.delete = delete;
        this.executor = executor;
    }

    public void add(DeviceAddress device, UUID guid) {
        waiting.add(new Ack(device, guid));
        startFlush();
    }

    public void addAll(DeviceAddress device, Collection<UUID> guids) {
        for (UUID guid : guids) waiting.add(new Ack(device, guid));
        startFlush();
    }

    private void startFlush() {
        if (flushing.compareAndSet(false, true)) executor.execute(this::flush);
    }

    private void flush() {
        while (true) {
            Map<DeviceAddress, List<UUID>> batch = new LinkedHashMap<>();
            int taken = 0;
            Ack next;
            while (taken < MAX_BATCH && (next = waiting.poll()) != null) {
                batch.computeIfAbsent(next.device(), d -> new ArrayList<>()).add(next.guid());
                taken++;
            }
            if (taken > 0) {
                try {
                    delete.accept(batch);
                } catch (RuntimeException e) {
                    log.warn("deleting {} acknowledged envelopes of {} devices failed; they will be delivered again", taken,
                            batch.size(), e);
                }
                continue;
            }
            flushing.set(false);
            // An ack added after the poll above but before the flag cleared saw a flush running.
            if (waiting.isEmpty() || !flushing.compareAndSet(false, true)) return;
        }
    }
}
