package dev.courier.bench.scenario;

import dev.courier.bench.load.Payloads;
import dev.courier.bench.report.IntervalPoint;
import dev.courier.bench.report.LatencySummary;
import dev.courier.bench.report.Progress;
import dev.courier.bench.target.CpuSample;
import dev.courier.bench.target.CpuSplit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/// One rate of an open-loop run, from the first intended send to the last delivery, whatever
/// carries the messages: Courier's `POST /v1/messages` and WebSockets, or XMPP (see
/// `versus.XmppSustained`), so both sides of a comparison are timed by the same code.
///
/// Send `i` is due at `start + i / rate` and goes out then, whatever happened to earlier ones;
/// latency counts from that intended time (no coordinated omission). The [Sender] says when a
/// send was *accepted* (Courier: its `200`, after the fsync; XMPP: the stanza handed to the
/// socket, since plain XMPP has no answer to a message); [#delivered] is called when the
/// recipient's connection has it.
///
/// Thread-safe: sends complete and deliveries arrive on the clients' threads; the delivery
/// bookkeeping is guarded by this object's lock, the counters are atomic.
public final class OpenLoopStep {
    /// The achieved rate may fall this far below the offered rate before the step says so.
    static final double RATE_TOLERANCE = 0.98;
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);

    /// Issues send `sequence` from sender `from` to recipient `to`; completes with an HTTP-like
    /// status, 200 when accepted.
    @FunctionalInterface
    public interface Sender {
        CompletableFuture<Integer> send(int from, int to, long sequence, long intendedNanos);
    }

    private final Progress progress;
    private final Duration duration;
    private final Duration warmup;
    private final int rate;
    private final long base;
    private final long planned;
    private final int senders;
    private final int recipients;
    private final Sender sender;
    private final Supplier<Long> acknowledged;
    private final Supplier<CpuSample> cpu;
    /// CPU and accepted sends when the warm-up ended, taken by the ticker.
    private volatile CpuSample cpuAtWarmup;
    private volatile long okAtWarmup;
    private final Recorder sendRecorder = new Recorder(3_600_000_000L, 3);
    private final Recorder deliverRecorder = new Recorder(3_600_000_000L, 3);
    private final Histogram sendTotal = LatencySummary.newHistogram();
    private final Histogram deliverTotal = LatencySummary.newHistogram();
    private final List<IntervalPoint> sendSeries = new ArrayList<>();
    private final List<IntervalPoint> deliverSeries = new ArrayList<>();
    private final Map<String, Long> errors = new ConcurrentHashMap<>();
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong lastOk = new AtomicLong();
    private final BitSet seen;
    private long delivered;
    private long duplicates;
    private long lastDelivered;
    private long start;

    /// `acknowledged` reads the server's count of acknowledged deliveries (null when it has none),
    /// to check that every delivery was acknowledged and deleted; `cpu` samples CPU time, once
    /// when the warm-up ends and once when the last send has been issued.
    public OpenLoopStep(Progress progress, Duration duration, Duration warmup, int rate, long base, int senders, int recipients,
                        Sender sender, Supplier<Long> acknowledged, Supplier<CpuSample> cpu) {
        this.progress = progress;
        this.duration = duration;
        this.warmup = warmup;
        this.rate = rate;
        this.base = base;
        this.senders = senders;
        this.recipients = recipients;
        this.sender = sender;
        this.acknowledged = acknowledged;
        this.cpu = cpu;
        this.planned = Math.max(1, rate * duration.toMillis() / 1000);
        this.seen = new BitSet((int) planned);
    }

    public long planned() {
        return planned;
    }

    /// A delivery of the payload stamped `stamp`; false when it is not one of this step's sends.
    public synchronized boolean delivered(Payloads.Stamp stamp, long receivedNanos) {
        long i = stamp.sequence() - base;
        if (i < 0 || i >= planned) return false;
        if (seen.get((int) i)) {
            duplicates++;
            return true;
        }
        seen.set((int) i);
        delivered++;
        lastDelivered = receivedNanos;
        deliverRecorder.recordValue(Math.max(0, (receivedNanos - stamp.intendedNanos()) / 1000));
        return true;
    }

    public SustainedScenario.Step run() {
        Long ackedBefore = acknowledged.get();
        start = System.nanoTime() + 20_000_000L;
        progress.say("offering " + rate + " msgs/s for " + duration.toSeconds() + " s (" + planned + " sends)");
        if (warmup.isZero()) sampleWarmupEnd();
        var ticker = Thread.ofPlatform().daemon().name("bench-ticker").start(this::tick);
        issueAll();
        // Over the steady part only: from the warm-up's end to the last send's intended time,
        // not the tail in which the last answers and deliveries come in.
        CpuSample cpuAtEnd = cpu.get();
        long okAtEnd = ok.get();
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline && (answered.get() < planned || deliveredCount() < ok.get())) SustainedScenario.sleep(5);
        ticker.interrupt();
        try {
            ticker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        takeInterval();
        long okCount = ok.get();
        long deliveredCount = deliveredCount();
        Long ackedDelta = null;
        if (ackedBefore != null) {
            long until = System.nanoTime() + 5_000_000_000L;
            Long now;
            do {
                now = acknowledged.get();
                if (now != null && now - ackedBefore >= deliveredCount) break;
                SustainedScenario.sleep(20);
            } while (System.nanoTime() < until);
            ackedDelta = now == null ? null : now - ackedBefore;
        }
        double seconds = duration.toNanos() / 1e9;
        double sendRate = okCount / Math.max(seconds, (lastOk.get() - start) / 1e9);
        double deliverRate = deliveredCount / Math.max(seconds, (lastDeliveredNanos() - start) / 1e9);
        boolean met = okCount == planned && deliveredCount == planned && sendRate >= RATE_TOLERANCE * rate
                && deliverRate >= RATE_TOLERANCE * rate;
        return new SustainedScenario.Step(rate, seconds, planned, okCount, new TreeMap<>(errors), deliveredCount, duplicates(),
                okCount - deliveredCount, SustainedScenario.round(sendRate), SustainedScenario.round(deliverRate), met, ackedDelta,
                LatencySummary.of(sendTotal), LatencySummary.of(deliverTotal), List.copyOf(sendSeries), List.copyOf(deliverSeries),
                CpuSplit.between(cpuAtWarmup, cpuAtEnd, okAtEnd - okAtWarmup));
    }

    /// The open loop: issue send `i` at `start + i/rate`, late ones at once, never waiting for
    /// answers.
    private void issueAll() {
        for (long i = 0; i < planned; i++) {
            long intended = start + i * 1_000_000_000L / rate;
            long wait = intended - System.nanoTime();
            if (wait > 0) LockSupport.parkNanos(wait);
            int to = (int) (i % recipients);
            int from = (int) ((i / recipients) % senders);
            sender.send(from, to, base + i, intended).whenComplete((status, failure) -> answered(intended, status, failure));
        }
    }

    private void answered(long intended, Integer status, Throwable failure) {
        long now = System.nanoTime();
        if (failure == null && status == 200) {
            sendRecorder.recordValue(Math.max(0, (now - intended) / 1000));
            ok.incrementAndGet();
            lastOk.accumulateAndGet(now, Math::max);
        } else {
            String key = failure != null ? failure.getClass().getSimpleName() : "http " + status;
            errors.merge(key, 1L, Long::sum);
        }
        answered.incrementAndGet();
    }

    /// Once a second: the interval histograms become a point of each series and, after the
    /// warm-up, part of the totals; and a progress line.
    private void tick() {
        long next = start + 1_000_000_000L;
        while (!Thread.currentThread().isInterrupted()) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
                if (Thread.currentThread().isInterrupted()) return;
                continue;
            }
            IntervalPoint[] p = takeInterval();
            if (cpuAtWarmup == null && p[0].tSeconds() >= warmup.toNanos() / 1e9) sampleWarmupEnd();
            progress.say(String.format("%3.0fs  offered %d/s  accepted %d/s  delivered %d/s  send→accepted p99 %s ms  send→delivered p99 %s ms  errors %d",
                    p[0].tSeconds(), rate, p[0].count(), p[1].count(), LatencySummary.fmt(p[0].p99Ms()), LatencySummary.fmt(p[1].p99Ms()),
                    errors.values().stream().mapToLong(Long::longValue).sum()));
            next += 1_000_000_000L;
        }
    }

    private void sampleWarmupEnd() {
        okAtWarmup = ok.get();
        cpuAtWarmup = cpu.get();
    }

    private synchronized IntervalPoint[] takeInterval() {
        double t = Math.round((System.nanoTime() - start) / 1e8) / 10.0;
        Histogram sendInterval = sendRecorder.getIntervalHistogram();
        Histogram deliverInterval = deliverRecorder.getIntervalHistogram();
        if (t > warmup.toNanos() / 1e9) {
            sendTotal.add(sendInterval);
            deliverTotal.add(deliverInterval);
        }
        IntervalPoint send = IntervalPoint.of(t, sendInterval);
        IntervalPoint deliver = IntervalPoint.of(t, deliverInterval);
        sendSeries.add(send);
        deliverSeries.add(deliver);
        return new IntervalPoint[] {send, deliver};
    }

    private synchronized long deliveredCount() {
        return delivered;
    }

    private synchronized long duplicates() {
        return duplicates;
    }

    private synchronized long lastDeliveredNanos() {
        return lastDelivered;
    }
}
