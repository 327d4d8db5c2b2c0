package dev.courier.server.delivery;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/// The deletions that one connection's acks ask for, batched: while one deletion waits for its
/// commit, the acks that arrive meanwhile gather and go together in the next one. Under load a
/// device's acks then cost one write per commit, not one each; an ack that arrives alone is
/// deleted at once.
///
/// Invariants:
/// - at most one flush runs at a time (`flushing`), on the executor, so deletions of one
///   connection never compete with each other for the writer;
/// - an ack added while a flush runs is taken by that flush or by the next one: the flush looks at
///   the queue again after it clears `flushing`;
/// - a deletion that fails is logged and not retried: the envelope stays queued and is delivered
///   again on the next connection, which at-least-once delivery allows.
public final class AckBatcher {
    private static final Logger log = LoggerFactory.getLogger(AckBatcher.class);
    /// GUIDs per deletion: a bound on one write unit's size.
    static final int MAX_BATCH = 512;

    private final Consumer<List<UUID>> delete;
    private final Executor executor;
    private final ConcurrentLinkedQueue<UUID> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean flushing = new AtomicBoolean();

    /// `delete` deletes the envelopes it is given and returns once that is durable.
    public AckBatcher(Consumer<List<UUID>> delete, Executor executor) {
        this.delete = delete;
        this.executor = executor;
    }

    public void add(UUID guid) {
        waiting.add(guid);
        startFlush();
    }

    public void addAll(Collection<UUID> guids) {
        waiting.addAll(guids);
        startFlush();
    }

    private void startFlush() {
        if (flushing.compareAndSet(false, true)) executor.execute(this::flush);
    }

    private void flush() {
        while (true) {
            List<UUID> batch = new ArrayList<>();
            UUID next;
            while (batch.size() < MAX_BATCH && (next = waiting.poll()) != null) batch.add(next);
            if (!batch.isEmpty()) {
                try {
                    delete.accept(batch);
                } catch (RuntimeException e) {
                    log.warn("deleting {} acknowledged envelopes failed; they will be delivered again", batch.size(), e);
                }
                continue;
            }
            flushing.set(false);
            // An ack added after the poll above but before the flag cleared saw a flush running.
            if (waiting.isEmpty() || !flushing.compareAndSet(false, true)) return;
        }
    }
}
