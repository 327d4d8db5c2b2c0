package dev.courier.server.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.courier.protocol.ServerFrame;
import dev.courier.server.accounts.DeviceAddress;
import dev.courier.server.messages.MessageStore;
import dev.courier.server.messages.StoredEnvelope;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLong;

/// Delivers one device's queue over one live connection: take, send, wait for the ack, delete.
///
/// The queue in the store is the truth. The session keeps a cursor (`lastSentSeq`) and the set of
/// envelopes sent but not yet acknowledged. Whenever something changes (connect, a commit for this
/// device, an ack) a pump runs: it reads the next envelopes after the cursor and sends them, up
/// to a window of unacknowledged envelopes and bytes.
///
/// Fresh envelopes skip the read when the store feeds commits ([#offer]): the store's writer
/// hands each one over after its commit, in `seq` order, and the pump sends it from `fresh`.
/// The store is read only while `stale` says it may hold envelopes after the cursor that `fresh`
/// lacks: at connect (the backlog), after [#signal] (a change the feed did not carry: another
/// store, another node, an expiry notice), and after `fresh` overflowed.
///
/// An ack wakes the pump only when the pump stopped for want of window room (`awaitingRoom`)
/// and a quarter of the window is free again: an ack for a device whose queue is drained has
/// nothing to pump, and refilling by the quarter reads the store in batches, not one row per ack.
///
/// Invariants:
/// - at most one pump runs at a time (`pumpState`), so sends leave in queue order and only the
///   pump touches `lastSentSeq` and `queueEmptySent`;
/// - a signal that arrives while the pump runs makes it run once more, so no commit is missed;
/// - a pump that stops for want of room sets `awaitingRoom` before it looks at the window a last
///   time, and an ack frees its slot before it looks at `awaitingRoom`, so one of the two always
///   sees the other: the pump never waits for an ack that has already come;
/// - every envelope committed while the session is attached is in `fresh` or, if `fresh` dropped
///   it (`overflowed`), `stale` is set after the drop; an envelope committed before the attach
///   is in the first read. The pump clears `stale` before it reads, so a drop during the read
///   makes it read again, and it takes nothing from `fresh` while `stale` is set, so nothing
///   leaves ahead of an envelope that only the store holds. `fresh` takes nothing after a drop
///   until the pump has reset `overflowed` and read again: FIFO holds;
/// - an envelope in both `fresh` and a read is sent once: `fresh` entries at or below the cursor
///   are passed over;
/// - an idle session holds no thread: the pump runs on a virtual thread only while it has work;
/// - nothing is deleted here; deletion happens only on the device's ack, by the caller.
public final class DeliverySession {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DeliverySession.class);
    private static final int IDLE = 0;
    private static final int RUNNING = 1;
    private static final int RUNNING_AND_SIGNALLED = 2;

    private final DeviceAddress device;
    private final Outbound outbound;
    private final MessageStore store;
    /// Writes [ServerFrame]s; made once by the caller and shared by every session, since making a
    /// writer per frame resolved the type anew each time (3.5 % of a drain's pump CPU).
    private final ObjectWriter frames;
    private final Executor executor;
    /// WebSocket close code for a connection that a newer one of the same device replaced,
    /// on this node or another.
    public static final int CLOSE_REPLACED = 4000;

    private final int window;
    private final long maxInflightBytes;

    /// Free slots that an ack waits for before it restarts a pump that stopped on a full window.
    private final int refillRoom;

    private final AtomicInteger pumpState = new AtomicInteger(IDLE);
    private volatile boolean awaitingRoom;
    /// Envelopes the store's writer handed over, in `seq` order, not yet sent by the pump. Made by
    /// the first [#offer], so that a socket that is only ever idle holds none.
    private volatile ConcurrentLinkedQueue<StoredEnvelope> fresh;
    /// About how many `fresh` holds; it bounds `fresh` to a window, beyond which the store is read.
    /// A field with an updater rather than an `AtomicInteger`: one object less per socket.
    private volatile int freshCount;
    private static final AtomicIntegerFieldUpdater<DeliverySession> FRESH_COUNT =
            AtomicIntegerFieldUpdater.newUpdater(DeliverySession.class, "freshCount");
    private volatile boolean overflowed;
    private volatile boolean stale = true;
    private final ConcurrentHashMap<UUID, Integer> inflight = new ConcurrentHashMap<>();
    private final AtomicLong inflightBytes = new AtomicLong();
    private volatile boolean closed;
    private long lastSentSeq;
    private boolean queueEmptySent;

    public DeliverySession(DeviceAddress device, Outbound outbound, MessageStore store, ObjectWriter frames,
                           Executor executor, int window, long maxInflightBytes) {
        this.device = device;
        this.outbound = outbound;
        this.store = store;
        this.frames = frames;
        this.executor = executor;
        this.window = window;
        this.maxInflightBytes = maxInflightBytes;
        this.refillRoom = Math.max(1, window / 4);
    }

    public DeviceAddress device() {
        return device;
    }

    /// The store may hold envelopes for this device that were not [offered][#offer]: make sure a
    /// pump reads it after this call.
    public void signal() {
        stale = true;
        wake();
    }

    /// `envelope` has just committed for this device. Only the store's commit feed calls this, one
    /// envelope at a time and in `seq` order, and the sender's thread calls [#wake] once the send
    /// returns: starting the pump from here would cost the store's writer thread a hand-off to
    /// another thread per envelope. Returns false if the session is closed.
    public boolean offer(StoredEnvelope envelope) {
        if (closed) return false;
        if (overflowed || freshCount >= window) {
            // The device is slow to acknowledge: keep memory bounded and let the store catch up.
            overflowed = true;
            stale = true;
        } else {
            var queue = fresh;
            if (queue == null) fresh = queue = new ConcurrentLinkedQueue<>(); // only this thread writes the field
            queue.add(envelope);
            FRESH_COUNT.incrementAndGet(this);
        }
        return true;
    }

    /// Makes sure a pump runs after this call, to send what was [offered][#offer].
    public void wake() {
        while (!closed) {
            int state = pumpState.get();
            if (state == IDLE) {
                if (pumpState.compareAndSet(IDLE, RUNNING)) {
                    executor.execute(this::pump);
                    return;
                }
            } else if (state == RUNNING) {
                if (pumpState.compareAndSet(RUNNING, RUNNING_AND_SIGNALLED)) return;
            } else {
                return;
            }
        }
    }

    /// The device acknowledged `guid`: free its window slot. The caller deletes the envelope, before
    /// or after this call; the cursor, not the store, keeps it from being sent twice here.
    public void acknowledged(UUID guid) {
        Integer size = inflight.remove(guid);
        if (size != null) {
            inflightBytes.addAndGet(-size);
            if (awaitingRoom && canRefill()) {
                awaitingRoom = false;
                wake();
            }
        }
    }

    private boolean canRefill() {
        return window - inflight.size() >= refillRoom && inflightBytes.get() < maxInflightBytes;
    }

    public void close(int code, String reason) {
        closed = true;
        outbound.close(code, reason);
    }

    /// Marks the session finished after the transport closed on its own.
    public void closed() {
        closed = true;
    }

    public boolean isClosed() {
        return closed;
    }

    int inflightCount() {
        return inflight.size();
    }

    private void pump() {
        do {
            pumpState.set(RUNNING);
            try {
                drain();
                // Every frame of this pass goes out now: the pump never leaves one buffered.
                if (!closed) outbound.flush(this::transportFailed);
            } catch (RuntimeException e) {
                // The store failed: drop the connection so the device reconnects and we start
                // over from the store, rather than stall silently.
                log.error("delivery to {} failed; closing its connection", device, e);
                close(1011, "server error");
                return;
            }
        } while (!pumpState.compareAndSet(RUNNING, IDLE));
    }

    private void drain() {
        while (!closed) {
            int room = window - inflight.size();
            if (room <= 0 || inflightBytes.get() >= maxInflightBytes) {
                awaitingRoom = true;
                // Acks may have freed room between the check above and the flag: look once more.
                if (!canRefill()) return;
                awaitingRoom = false;
                continue;
            }
            if (stale) {
                stale = false;
                if (overflowed) {
                    overflowed = false;
                    var queue = fresh;
                    if (queue != null) queue.clear();
                    freshCount = 0;
                }
                List<StoredEnvelope> batch = store.pending(device, lastSentSeq, room);
                for (StoredEnvelope e : batch) {
                    if (closed) return;
                    send(e);
                }
                if (batch.size() == room) {
                    stale = true; // a full page: there may be more
                } else if (!queueEmptySent) {
                    queueEmptySent = true;
                    outbound.send(frame(new ServerFrame.QueueEmpty()), this::transportFailed);
                }
                continue;
            }
            var queue = fresh;
            StoredEnvelope e = queue == null ? null : queue.poll();
            if (e == null) return;
            FRESH_COUNT.decrementAndGet(this);
            if (e.seq() > lastSentSeq) send(e);
        }
    }

    private void send(StoredEnvelope e) {
        int size = e.approximateSize();
        inflight.put(e.guid(), size);
        inflightBytes.addAndGet(size);
        lastSentSeq = e.seq();
        outbound.send(frame(new ServerFrame.Deliver(e.toWire())), this::transportFailed);
    }

    private void transportFailed() {
        close(1011, "send failed");
    }

    private byte[] frame(ServerFrame frame) {
        try {
            return frames.writeValueAsBytes(frame);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("server frames always serialize", e);
        }
    }
}
