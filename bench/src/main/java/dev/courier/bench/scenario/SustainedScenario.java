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
    /// `stopAboveP99Ms`: when positive, the sweep ends after the first step that is not
    /// [Step#withinBound] it (the steps above it would only queue more); 0 runs every rate.
    public record Params(List<Integer> rates, Duration duration, Duration warmup, int senders, int recipients,
                         int payloadBytes, int httpConnections, double stopAboveP99Ms) {}

    public record Step(int offeredRate, double durationSeconds, long planned, long ok, Map<String, Long> errors,
                       long delivered, long duplicates, long missing, double achievedSendRate, double achievedDeliveredRate,
                       boolean rateMet, Long serverAcknowledged, LatencySummary sendToOk, LatencySummary sendToDelivered,
                       List<IntervalPoint> sendToOkPerSecond, List<IntervalPoint> sendToDeliveredPerSecond) {
        /// The offered rate was sustained, everything accepted was delivered, and send →
        /// delivered p99 was at most `p99Ms`.
        public boolean withinBound(double p99Ms) {
            return rateMet && missing == 0 && sendToDelivered.p99Ms() <= p99Ms;
        }
    }

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
                Step step = step(bench, clients.api(), senders, recipients, payloads, receiving, rate, sequenceBase);
                sequenceBase += step.planned();
                steps.add(step);
                if (!step.rateMet()) {
                    notes.add(String.format("at %d/s offered, the achieved rate was %.0f/s accepted (200) and %.0f/s delivered: below the offered rate",
                            rate, step.achievedSendRate(), step.achievedDeliveredRate()));
                }
                if (step.missing() > 0) notes.add("at " + rate + "/s, " + step.missing() + " accepted sends were not delivered within " + OpenLoopStep.DRAIN_TIMEOUT.toSeconds() + " s");
                if (params.stopAboveP99Ms() > 0 && !step.withinBound(params.stopAboveP99Ms())) {
                    if (rate != params.rates().getLast()) notes.add("the sweep stopped after " + rate + "/s: the first step over the p99 bound of " + params.stopAboveP99Ms() + " ms");
                    break;
                }
            }
        }
        notes.add("the load generator runs on the same machine as the server and shares its cores");
        Result result = new Result(steps);
        return new RunReport("sustained", started, bench.command(), Bench.environment(), bench.serverDescription(), params,
                result, notes, List.of(table(steps)), charts(steps));
    }

    /// One rate: sends are `POST /v1/messages`, accepted at their `200`; the server's
    /// `courier_envelopes_acknowledged_total` checks every delivery was acknowledged.
    private Step step(Bench bench, HttpApi api, List<BenchDevice> senders, List<BenchDevice> recipients, Payloads payloads,
                      Receiving receiving, int rate, long base) {
        OpenLoopStep.Sender send = (from, to, sequence, intended) ->
                api.sendMessage(senders.get(from), HttpApi.sendBody(recipients.get(to), payloads.content(sequence, intended)));
        var step = new OpenLoopStep(bench.progress(), params.duration(), params.warmup(), rate, base, senders.size(), recipients.size(),
                send, () -> acknowledged(bench));
        receiving.current = step;
        try {
            return step.run();
        } finally {
            receiving.current = null;
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
