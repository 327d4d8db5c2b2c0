package dev.courier.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/// One thread that sends the batched acks of every [DeliverySocket] of a fleet: a socket with a
/// first unsent ack registers here, and about `delay` later its batch goes out with the batches of
/// every other socket that registered meanwhile. One timer for the whole fleet, rather than a
/// scheduled task per socket per batch, keeps the generator's cost per ack to a queue insert.
final class AckFlusher implements AutoCloseable {
    private final LinkedBlockingQueue<DeliverySocket> due = new LinkedBlockingQueue<>();
    private final long delayNanos;
    private final Thread thread;
    private volatile boolean closed;

    AckFlusher(long delay, TimeUnit unit) {
        this.delayNanos = unit.toNanos(delay);
        this.thread = Thread.ofPlatform().daemon().name("bench-acks").start(this::loop);
    }

    void due(DeliverySocket socket) {
        due.add(socket);
    }

    private void loop() {
        List<DeliverySocket> batch = new ArrayList<>();
        while (!closed) {
            try {
                DeliverySocket first = due.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                LockSupport.parkNanos(delayNanos);
                batch.add(first);
                due.drainTo(batch);
                for (DeliverySocket s : batch) s.flushAcks();
            } catch (InterruptedException e) {
                return;
            } finally {
                batch.clear();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
