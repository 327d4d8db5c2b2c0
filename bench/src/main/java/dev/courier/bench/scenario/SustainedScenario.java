package dev.courier.bench.scenario;

import dev.courier.bench.load.BenchDevice;
import dev.courier.bench.load.DeliverySocket;
import dev.courier.bench.load.HttpApi;
import dev.courier.bench.load.LoadClients;
import dev.courier.bench.load.LoadException;
import dev.courier.bench.load.MessageIdOrder;
import dev.courier.bench.load.Payloads;
import dev.courier.bench.load.Registrar;
import dev.courier.bench.report.Chart;
import dev.courier.bench.report.IntervalPoint;
import dev.courier.bench.report.LatencySummary;
import dev.courier.bench.report.RunReport;
import dev.courier.bench.report.Table;
import dev.courier.bench.target.CpuSample;
import dev.courier.bench.target.CpuSplit;
import dev.courier.bench.target.WriterCommits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

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
    /// Steal above this share of the machine's CPU time is called out in the notes: on the shared
    /// machines here it went from 1 % to 34 % between hours, and halved what the same code carried.
    static final double NOTABLE_STEAL_PERCENT = 5;

    /// `stopAboveP99Ms`: when positive, the sweep ends after the first step that is not
    /// [Step#withinBound] it (the steps above it would only queue more); 0 runs every rate.
    public record Params(List<Integer> rates, Duration duration, Duration warmup, int senders, int recipients,
                         int payloadBytes, int httpConnections, double stopAboveP99Ms, Transport transport, MessageIdOrder messageIds,
                         Duration prewarm,
                         int prewarmRate) {}

    /// How senders send: `send` frames on a WebSocket of their own, as a connected app does, or
    /// one `POST /v1/messages` each over pooled HTTP connections.
    public enum Transport { WEBSOCKET, HTTP }

    public record Step(int offeredRate, double durationSeconds, long planned, long ok, Map<String, Long> errors,
                       long delivered, long duplicates, long missing, double achievedSendRate, double achievedDeliveredRate,
                       boolean rateMet, Long serverAcknowledged, LatencySummary sendToOk, LatencySummary sendToDelivered,
                       List<IntervalPoint> sendToOkPerSecond, List<IntervalPoint> sendToDeliveredPerSecond, CpuSplit cpu) {
        /// The offered rate was sustained, everything accepted was delivered, and send →
        /// delivered p99 was at most `p99Ms`.
        public boolean withinBound(double p99Ms) {
            return rateMet && missing == 0 && sendToDelivered.p99Ms() <= p99Ms;
        }
    }

    /// `prewarm` is the unreported warm-up step, null when there was none.
    public record Result(Step prewarm, List<Step> steps) {}

    private final Params params;

    public SustainedScenario(Params params) {
        this.params = params;
    }

    @Override
    public RunReport run(Bench bench) {
        String started = Bench.now();
        List<String> notes = new ArrayList<>();
        List<Step> steps = new ArrayList<>();
        Step prewarm = null;
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
            awaitAll(ready, "the recipients' WebSockets did not connect");
            bench.progress().say(recipients.size() + " recipient WebSockets open");
            List<DeliverySocket> senderSockets = params.transport() == Transport.WEBSOCKET ? connectSenders(clients, senders) : List.of();
            Payloads payloads = new Payloads(params.payloadBytes());
            OpenLoopStep.Sender send = params.transport() == Transport.WEBSOCKET
                    ? (from, to, sequence, intended) ->
                            senderSockets.get(from).send(HttpApi.sendBody(recipients.get(to), params.messageIds().next(),
                                    payloads.content(sequence, intended)))
                    : (from, to, sequence, intended) -> clients.api().sendMessage(senders.get(from),
                            HttpApi.sendBody(recipients.get(to), params.messageIds().next(), payloads.content(sequence, intended)));
            long sequenceBase = 0;
            if (!params.prewarm().isZero()) {
                // The server's JIT compiles for about a minute of load before it settles (its C2
                // threads used a third of its CPU over a one-minute run): without this step the
                // first steps measure compilation, not the server a long-running node would be.
                bench.progress().say("pre-warming the server: " + params.prewarmRate() + " msgs/s for "
                        + params.prewarm().toSeconds() + " s, not reported in the table");
                prewarm = step(bench, send, senders, recipients, receiving, params.prewarmRate(), sequenceBase, params.prewarm());
                sequenceBase += prewarm.planned();
                notes.add(String.format("before the steps, %d s at %d msgs/s warmed the server up (achieved %.0f/s); that step is "
                        + "in the JSON as prewarm, not in the table", params.prewarm().toSeconds(), params.prewarmRate(),
                        prewarm.achievedSendRate()));
            }
            for (int rate : params.rates()) {
                Step step = step(bench, send, senders, recipients, receiving, rate, sequenceBase, params.duration());
                sequenceBase += step.planned();
                steps.add(step);
                if (!step.rateMet()) {
                    notes.add(String.format("at %d/s offered, the achieved rate was %.0f/s accepted (200) and %.0f/s delivered: below the offered rate",
                            rate, step.achievedSendRate(), step.achievedDeliveredRate()));
                }
                Double steal = step.cpu() == null ? null : step.cpu().machineStealPercent();
                if (steal != null && steal >= NOTABLE_STEAL_PERCENT) {
                    notes.add(String.format("at %d/s, the hypervisor took %.1f %% of this machine's CPU time for others (steal): "
                            + "compare this step only with runs of the same hour", rate, steal));
                }
                if (step.missing() > 0) notes.add("at " + rate + "/s, " + step.missing() + " accepted sends were not delivered within " + OpenLoopStep.DRAIN_TIMEOUT.toSeconds() + " s");
                if (params.stopAboveP99Ms() > 0 && !step.withinBound(params.stopAboveP99Ms())) {
                    if (rate != params.rates().getLast()) notes.add("the sweep stopped after " + rate + "/s: the first step over the p99 bound of " + params.stopAboveP99Ms() + " ms");
                    break;
                }
            }
        }
        notes.add("the load generator runs on the same machine as the server and shares its cores");
        Result result = new Result(prewarm, steps);
        return new RunReport("sustained", started, bench.command(), Bench.environment(), bench.serverDescription(), params,
                result, notes, List.of(table(steps), cpuTable(steps), commitTable(steps)), charts(steps));
    }

    private static List<DeliverySocket> connectSenders(LoadClients clients, List<BenchDevice> senders) {
        List<CompletableFuture<DeliverySocket>> connecting = new ArrayList<>();
        for (BenchDevice s : senders) connecting.add(clients.sockets().connect(s, DeliverySocket.Handler.ACK_ALL));
        awaitAll(connecting, "the senders' WebSockets did not connect");
        return connecting.stream().map(CompletableFuture::join).toList();
    }

    private static void awaitAll(List<? extends CompletableFuture<?>> futures, String failure) {
        try {
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new LoadException(failure + ": " + e.getMessage(), e);
        }
    }

    /// One rate: each send is accepted at its `200`; the server's
    /// `courier_envelopes_acknowledged_total` checks every delivery was acknowledged.
    private Step step(Bench bench, OpenLoopStep.Sender send, List<BenchDevice> senders, List<BenchDevice> recipients,
                      Receiving receiving, int rate, long base, Duration duration) {
        var serverPid = bench.server().processId();
        var step = new OpenLoopStep(bench.progress(), duration, params.warmup(), rate, base, senders.size(), recipients.size(),
                send, () -> acknowledged(bench), () -> CpuSample.take(serverPid, () -> writerCommits(bench)));
        receiving.current = step;
        try {
            return step.run();
        } finally {
            receiving.current = null;
        }
    }

    private static WriterCommits writerCommits(Bench bench) {
        try {
            return WriterCommits.read(bench.server().metrics());
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Long acknowledged(Bench bench) {
        try {
            double v = bench.server().metrics().sum("courier_envelopes_acknowledged_total", null);
            return Double.isNaN(v) ? null : (long) v;
        } catch (RuntimeException e) {
            return null;
        }
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

    /// What bounds a rate on a machine the server and the generator share: where the CPU went.
    private static Table cpuTable(List<Step> steps) {
        var t = Table.builder("CPU per accepted send, µs (from /proc, each step after its warm-up; machine = all processes and the kernel)",
                "offered/s", "server user", "server kernel", "SQLite writer", "writer waited for a CPU", "generator",
                "machine user", "machine kernel", "machine idle", "stolen by the hypervisor");
        for (Step s : steps) {
            CpuSplit c = s.cpu();
            if (c == null) {
                t.row(s.offeredRate(), "—", "—", "—", "—", "—", "—", "—", "—", "—");
                continue;
            }
            t.row(s.offeredRate(), cell(c.serverUserUs(), ""), cell(c.serverKernelUs(), ""), cell(c.writerUs(), ""),
                    cell(c.writerWaitMsPerSecond(), " ms/s"), cell(c.generatorUs(), ""), cell(c.machineUserUs(), ""),
                    cell(c.machineKernelUs(), ""), cell(c.machineIdlePercent(), " %"), cell(c.machineStealPercent(), " %"));
        }
        return t.build();
    }

    /// What the CPU of the SQLite writer paid for: commits, and the fsyncs among them.
    private static Table commitTable(List<Step> steps) {
        var t = Table.builder("SQLite commits (from the server's /metrics, each step after its warm-up)",
                "offered/s", "commits/s", "write units per commit", "mean commit (statements and fsync)", "fsyncs per send");
        for (Step s : steps) {
            CpuSplit c = s.cpu();
            if (c == null || c.commitsPerSecond() == null) {
                t.row(s.offeredRate(), "—", "—", "—", "—");
                continue;
            }
            t.row(s.offeredRate(), cell(c.commitsPerSecond(), ""), cell(c.unitsPerCommit(), ""),
                    c.meanCommitMs() == null ? "—" : String.format("%.3f ms", c.meanCommitMs()),
                    String.format("%.3f", c.fsyncsPerSend()));
        }
        return t.build();
    }

    private static String cell(Double v, String unit) {
        return v == null ? "—" : String.format("%.1f%s", v, unit);
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
        private volatile OpenLoopStep current;
        private final AtomicLong strays = new AtomicLong();

        @Override
        public boolean onEnvelope(DeliverySocket socket, String guid, byte[] content, long receivedNanos) {
            OpenLoopStep step = current;
            if (content == null || content.length < Payloads.HEADER || step == null || !step.delivered(Payloads.Stamp.of(content), receivedNanos)) {
                strays.incrementAndGet();
            }
            return true;
        }
    }

    static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    public static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
