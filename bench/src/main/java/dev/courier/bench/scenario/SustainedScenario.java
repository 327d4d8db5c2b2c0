package dev.courier.bench.scenario;

import dev.courier.bench.load.BenchDevice;
import dev.courier.bench.load.DeliverySocket;
import dev.courier.bench.load.HttpApi;
import dev.courier.bench.load.LoadClients;
import dev.courier.bench.load.LoadException;
import dev.courier.bench.load.Payloads;
import dev.courier.bench.load.Registrar;
import dev.courier.bench.report.Chart;
import dev.courier.bench.report.IntervalPoint;
import dev.courier.bench.report.LatencySummary;
import dev.courier.bench.report.RunReport;
import dev.courier.bench.report.Table;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/// Scenario 2: a fixed offered rate of sends between many sender and recipient devices, open
/// loop, for a set duration; once per rate of a sweep.
///
/// Open loop means each send has an *intended* time, `start + i / rate`, fixed before the run,
/// and it is issued then whether or not earlier sends have been answered. Latency is measured from
/// that intended time, not from when the request actually left: if the server (or the generator)
/// stalls, the sends that should have gone out meanwhile are charged the stall, which a closed
/// loop would hide (coordinated omission, Gil Tene). Two latencies: send → `200` (the envelope
/// is fsync'd) and send → delivered (the envelope arrived on the recipient's WebSocket). Every
/// delivered envelope is acknowledged at once, so the server deletes it: the full end-to-end
/// path. The first `warmup` seconds are left out of the totals (not of the per-second series).
public final class SustainedScenario implements Scenario {
    /// The achieved rate may fall this far below the offered rate before the run says so.
    static final double RATE_TOLERANCE = 0.98;
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);

    public record Params(List<Integer> rates, Duration duration, Duration warmup, int senders, int recipients,
                         int payloadBytes, int httpConnections) {}

    public record Step(int offeredRate, double durationSeconds, long planned, long ok, Map<String, Long> errors,
                       long delivered, long duplicates, long missing, double achievedSendRate, double achievedDeliveredRate,
                       boolean rateMet, Long serverAcknowledged, LatencySummary sendToOk, LatencySummary sendToDelivered,
                       List<IntervalPoint> sendToOkPerSecond, List<IntervalPoint> sendToDeliveredPerSecond) {}

    public record Result(List<Step> steps) {}

    private final Params params;

    public SustainedScenario(Params params) {
        this.params = params;
    }

    @Override
    public RunReport run(Bench bench) {
        String started = Bench.now();
        List<String> notes = new ArrayList<>();
        List<Step> steps = new ArrayList<>();
        Receiving receiving = new Receiving();
        try (LoadClients clients = bench.clients(params.httpConnections())) {
            var registrar = new Registrar(clients.api());
            bench.progress().say("registering " + params.senders() + " senders and " + params.recipients() + " recipients");
            List<BenchDevice> senders = registrar.register(params.senders(), "s", Registrar.Progress.NONE);
            List<BenchDevice> recipients = registrar.register(params.recipients(), "r", Registrar.Progress.NONE);
            List<CompletableFuture<Void>> ready = new ArrayList<>();
            for (BenchDevice r : recipients) {
                ready.add(clients.sockets().connect(r, receiving).thenCompose(DeliverySocket::queueEmpty));
            }
            try {
                CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new LoadException("the recipients' WebSockets did not connect: " + e.getMessage(), e);
            }
            bench.progress().say(recipients.size() + " recipient WebSockets open");
            Payloads payloads = new Payloads(params.payloadBytes());
            long sequenceBase = 0;
            for (int rate : params.rates()) {
                Step step = new StepRun(bench, clients.api(), senders, recipients, payloads, receiving, rate, sequenceBase).run();
                sequenceBase += step.planned();
                steps.add(step);
                if (!step.rateMet()) {
                    notes.add(String.format("at %d/s offered, the achieved rate was %.0f/s accepted (200) and %.0f/s delivered: below the offered rate",
                            rate, step.achievedSendRate(), step.achievedDeliveredRate()));
                }
                if (step.missing() > 0) notes.add("at " + rate + "/s, " + step.missing() + " accepted sends were not delivered within " + DRAIN_TIMEOUT.toSeconds() + " s");
            }
        }
        notes.add("the load generator runs on the same machine as the server and shares its cores");
        Result result = new Result(steps);
        return new RunReport("sustained", started, bench.command(), Bench.environment(), bench.serverDescription(), params,
                result, notes, List.of(table(steps)), charts(steps));
    }

    private static Table table(List<Step> steps) {
        var t = Table.builder("Sustained rate (latency from intended send time, ms: p50 / p90 / p99 / p99.9 / max)",
                "offered/s", "200/s", "delivered/s", "ok", "errors", "send→200", "send→delivered", "rate met");
        for (Step s : steps) {
            long errors = s.errors().values().stream().mapToLong(Long::longValue).sum();
            t.row(s.offeredRate(), String.format("%.0f", s.achievedSendRate()), String.format("%.0f", s.achievedDeliveredRate()),
                    s.ok(), errors, s.sendToOk().cells(), s.sendToDelivered().cells(), s.rateMet() ? "yes" : "NO");
        }
        return t.build();
    }

    private static List<Chart> charts(List<Step> steps) {
        List<Chart> charts = new ArrayList<>();
        for (Step s : steps) {
            charts.add(overTime("send → delivered over time at " + s.offeredRate() + " msgs/s", s.sendToDeliveredPerSecond()));
            charts.add(overTime("send → 200 over time at " + s.offeredRate() + " msgs/s", s.sendToOkPerSecond()));
        }
        if (steps.size() > 1) {
            charts.add(againstRate("send → delivered against offered rate", steps, Step::sendToDelivered));
            charts.add(againstRate("send → 200 against offered rate", steps, Step::sendToOk));
        }
        return charts;
    }

    private static Chart overTime(String title, List<IntervalPoint> points) {
        List<Chart.Series> series = new ArrayList<>();
        series.add(series("p50", points, IntervalPoint::p50Ms));
        series.add(series("p90", points, IntervalPoint::p90Ms));
        series.add(series("p99", points, IntervalPoint::p99Ms));
        series.add(series("p99.9", points, IntervalPoint::p999Ms));
        series.add(series("max", points, IntervalPoint::maxMs));
        return new Chart(title, "seconds into the run", "latency (ms, log)", true, series);
    }

    private static Chart.Series series(String name, List<IntervalPoint> points, Function<IntervalPoint, Double> value) {
        return new Chart.Series(name, points.stream().filter(p -> p.count() > 0).map(p -> new double[] {p.tSeconds(), value.apply(p)}).toList());
    }

    private static Chart againstRate(String title, List<Step> steps, Function<Step, LatencySummary> which) {
        List<Chart.Series> series = new ArrayList<>();
        series.add(new Chart.Series("p50", steps.stream().map(s -> new double[] {s.offeredRate(), which.apply(s).p50Ms()}).toList()));
        series.add(new Chart.Series("p90", steps.stream().map(s -> new double[] {s.offeredRate(), which.apply(s).p90Ms()}).toList()));
        series.add(new Chart.Series("p99", steps.stream().map(s -> new double[] {s.offeredRate(), which.apply(s).p99Ms()}).toList()));
        series.add(new Chart.Series("p99.9", steps.stream().map(s -> new double[] {s.offeredRate(), which.apply(s).p999Ms()}).toList()));
        series.add(new Chart.Series("max", steps.stream().map(s -> new double[] {s.offeredRate(), which.apply(s).maxMs()}).toList()));
        return new Chart(title, "offered rate (msgs/s)", "latency (ms, log)", true, series);
    }

    /// The recipients' side, shared by every socket: matches each delivered payload to the send
    /// of the current step by its sequence number and records send → delivered. Called on Jetty
    /// threads, several at once; the step's state is what it synchronises on.
    private static final class Receiving implements DeliverySocket.Handler {
        private volatile StepRun current;
        private final AtomicLong strays = new AtomicLong();

        @Override
        public boolean onEnvelope(DeliverySocket socket, String guid, byte[] content, long receivedNanos) {
            StepRun step = current;
            if (content == null || content.length < Payloads.HEADER || step == null || !step.delivered(Payloads.Stamp.of(content), receivedNanos)) {
                strays.incrementAndGet();
            }
            return true;
        }
    }

    /// One rate of the sweep, from the first intended send to the last delivery.
    private final class StepRun {
        private final Bench bench;
        private final HttpApi api;
        private final List<BenchDevice> senders;
        private final List<BenchDevice> recipients;
        private final Payloads payloads;
        private final Receiving receiving;
        private final int rate;
        private final long base;
        private final long planned;
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

        StepRun(Bench bench, HttpApi api, List<BenchDevice> senders, List<BenchDevice> recipients, Payloads payloads,
                Receiving receiving, int rate, long base) {
            this.bench = bench;
            this.api = api;
            this.senders = senders;
            this.recipients = recipients;
            this.payloads = payloads;
            this.receiving = receiving;
            this.rate = rate;
            this.base = base;
            this.planned = Math.max(1, rate * params.duration().toMillis() / 1000);
            this.seen = new BitSet((int) planned);
        }

        synchronized boolean delivered(Payloads.Stamp stamp, long receivedNanos) {
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

        Step run() {
            Long ackedBefore = acknowledged();
            start = System.nanoTime() + 20_000_000L;
            receiving.current = this;
            bench.progress().say("offering " + rate + " msgs/s for " + params.duration().toSeconds() + " s (" + planned + " sends)");
            var ticker = Thread.ofPlatform().daemon().name("bench-ticker").start(this::tick);
            issueAll();
            long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline && (answered.get() < planned || deliveredCount() < ok.get())) sleep(5);
            ticker.interrupt();
            try {
                ticker.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            takeInterval();
            receiving.current = null;
            long okCount = ok.get();
            long deliveredCount = deliveredCount();
            Long ackedDelta = null;
            if (ackedBefore != null) {
                long until = System.nanoTime() + 5_000_000_000L;
                Long now;
                do {
                    now = acknowledged();
                    if (now != null && now - ackedBefore >= deliveredCount) break;
                    sleep(20);
                } while (System.nanoTime() < until);
                ackedDelta = now == null ? null : now - ackedBefore;
            }
            double seconds = params.duration().toNanos() / 1e9;
            double sendRate = okCount / Math.max(seconds, (lastOk.get() - start) / 1e9);
            double deliverRate = deliveredCount / Math.max(seconds, (lastDeliveredNanos() - start) / 1e9);
            boolean met = okCount == planned && deliveredCount == planned && sendRate >= RATE_TOLERANCE * rate
                    && deliverRate >= RATE_TOLERANCE * rate;
            return new Step(rate, seconds, planned, okCount, new TreeMap<>(errors), deliveredCount, duplicates(), okCount - deliveredCount,
                    round(sendRate), round(deliverRate), met, ackedDelta, LatencySummary.of(sendTotal), LatencySummary.of(deliverTotal),
                    List.copyOf(sendSeries), List.copyOf(deliverSeries));
        }

        /// The open loop: issue send `i` at `start + i/rate`, late ones at once, never waiting
        /// for answers.
        private void issueAll() {
            int r = recipients.size();
            int s = senders.size();
            for (long i = 0; i < planned; i++) {
                long intended = start + i * 1_000_000_000L / rate;
                long wait = intended - System.nanoTime();
                if (wait > 0) LockSupport.parkNanos(wait);
                BenchDevice to = recipients.get((int) (i % r));
                BenchDevice from = senders.get((int) ((i / r) % s));
                String body = HttpApi.sendBody(to, payloads.content(base + i, intended));
                api.sendMessage(from, body).whenComplete((status, failure) -> answered(intended, status, failure));
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
                bench.progress().say(String.format("%3.0fs  offered %d/s  200s %d/s  delivered %d/s  send→200 p99 %s ms  send→delivered p99 %s ms  errors %d",
                        p[0].tSeconds(), rate, p[0].count(), p[1].count(), LatencySummary.fmt(p[0].p99Ms()), LatencySummary.fmt(p[1].p99Ms()),
                        errors.values().stream().mapToLong(Long::longValue).sum()));
                next += 1_000_000_000L;
            }
        }

        private synchronized IntervalPoint[] takeInterval() {
            double t = Math.round((System.nanoTime() - start) / 1e8) / 10.0;
            Histogram sendInterval = sendRecorder.getIntervalHistogram();
            Histogram deliverInterval = deliverRecorder.getIntervalHistogram();
            if (t > params.warmup().toNanos() / 1e9) {
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

        private Long acknowledged() {
            try {
                double v = bench.server().metrics().sum("courier_envelopes_acknowledged_total", null);
                return Double.isNaN(v) ? null : (long) v;
            } catch (RuntimeException e) {
                return null;
            }
        }
    }

    static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
