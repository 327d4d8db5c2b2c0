package dev.courier.bench.versus;

import dev.courier.bench.load.MessageIdOrder;
import dev.courier.bench.report.Bytes;
import dev.courier.bench.report.Chart;
import dev.courier.bench.report.LatencySummary;
import dev.courier.bench.report.Progress;
import dev.courier.bench.report.RunReport;
import dev.courier.bench.report.Table;
import dev.courier.bench.scenario.Bench;
import dev.courier.bench.scenario.DrainScenario;
import dev.courier.bench.scenario.IdleScenario;
import dev.courier.bench.scenario.SustainedScenario;
import dev.courier.bench.target.EjabberdServer;
import dev.courier.bench.target.FdLimit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/// Courier and ejabberd side by side, in one run, on one machine, from one generator: the same
/// four measurements on each, then the Courier/ejabberd ratios.
///
/// 1. memory per idle connection: RSS delta of the server process over `idleConnections`
///    logged-in, idle connections (Courier: delivery WebSockets; ejabberd: c2s sessions with
///    presence);
/// 2. p50 and p99 send → delivered at one fixed offered `rate`, open loop;
/// 3. throughput at a fixed p99: the highest rate of `sweepRates` whose step sustained the rate,
///    delivered everything and kept send → delivered p99 within `p99BoundMs`; the sweep stops at
///    the first step that does not;
/// 4. offline drain: `drainMessages` waiting for a user who then logs in; time from connect to
///    the last delivered.
///
/// The sides run one after the other, never at once, each server alone with the generator.
public final class Comparison {
    public record Params(int rate, Duration duration, Duration warmup, List<Integer> sweepRates, Duration sweepDuration, double p99BoundMs,
                         int senders, int recipients, int payloadBytes, int drainMessages, int drainRounds, int idleConnections,
                         Duration idleHold, Duration prewarm) {}

    /// Idle connections held and the server's RSS around them; `heapBytesPerConnection` only for
    /// Courier (its JVM heap after a full GC).
    public record Idle(long held, double connectSeconds, Long rssBefore, Long rssAfter, Double rssBytesPerConnection,
                       Double heapBytesPerConnection, String serverFdLimit) {
        static Idle of(long held, double connectSeconds, Long before, Long after, Double heapPer, String fdLimit) {
            Double rssPer = held == 0 || before == null || after == null ? null : Math.round((after - before) / (double) held * 10) / 10.0;
            return new Idle(held, round2(connectSeconds), before, after, rssPer, heapPer, fdLimit);
        }
    }

    /// One drain round, ms from the start of the connection (Courier: before the WebSocket
    /// upgrade; ejabberd: before the TCP connect): logged in (Courier: upgrade done; ejabberd:
    /// session started and initial presence sent), first and last message delivered.
    public record DrainRound(int round, int messages, double fillSeconds, double loggedInMs, double firstDeliveredMs, double lastDeliveredMs) {}

    /// One server's figures. `throughputAtP99` is null when not even the lowest rate of the
    /// sweep met the bound.
    public record Side(String server, Idle idle, SustainedScenario.Step fixedRate, List<SustainedScenario.Step> sweep,
                       Integer throughputAtP99, List<DrainRound> drain, double medianLastDeliveredMs) {
        static Side of(String server, Idle idle, SustainedScenario.Step fixed, List<SustainedScenario.Step> sweep, double bound, List<DrainRound> drain) {
            Integer best = sweep.stream().filter(s -> s.withinBound(bound)).map(SustainedScenario.Step::offeredRate).max(Integer::compare).orElse(null);
            double[] last = drain.stream().mapToDouble(DrainRound::lastDeliveredMs).sorted().toArray();
            double median = last.length == 0 ? 0 : last.length % 2 == 1 ? last[last.length / 2] : (last[last.length / 2 - 1] + last[last.length / 2]) / 2;
            return new Side(server, idle, fixed, sweep, best, drain, median);
        }
    }

    /// Courier ÷ ejabberd for each figure; null where either side has none. Above 1 is better for
    /// Courier on throughput, worse on latency, memory and drain time.
    public record Ratios(Double throughputAtP99, Double p50AtRate, Double p99AtRate, Double rssPerIdleConnection, Double drainLastDelivered) {
        static Ratios of(Side courier, Side ejabberd) {
            return new Ratios(
                    ratio(courier.throughputAtP99() == null ? null : courier.throughputAtP99().doubleValue(),
                            ejabberd.throughputAtP99() == null ? null : ejabberd.throughputAtP99().doubleValue()),
                    ratio(courier.fixedRate().sendToDelivered().p50Ms(), ejabberd.fixedRate().sendToDelivered().p50Ms()),
                    ratio(courier.fixedRate().sendToDelivered().p99Ms(), ejabberd.fixedRate().sendToDelivered().p99Ms()),
                    ratio(courier.idle().rssBytesPerConnection(), ejabberd.idle().rssBytesPerConnection()),
                    ratio(courier.medianLastDeliveredMs(), ejabberd.medianLastDeliveredMs()));
        }

        private static Double ratio(Double a, Double b) {
            return a == null || b == null || b <= 0 || a < 0 ? null : Math.round(a / b * 1000) / 1000.0;
        }
    }

    public record Result(Side courier, Side ejabberd, Ratios courierOverEjabberd, boolean everyMessageDelivered) {}

    private final Params params;

    public Comparison(Params params) {
        this.params = params;
    }

    /// Runs the workload against the Courier server `bench` holds, through the existing
    /// scenarios (so Courier is measured exactly as `idle`, `sustained` and `drain` measure it).
    public Side courier(Bench bench) {
        var idleReport = new IdleScenario(new IdleScenario.Params(idleTarget(params.idleConnections(), bench.server().fdLimit(), bench.progress()),
                params.idleHold(), 256, false)).run(bench);
        var idle = (IdleScenario.Result) idleReport.result();
        Idle courierIdle = Idle.of(idle.held(), idle.rampSeconds(), idle.before().rssBytes(), idle.after().rssBytes(), idle.heapBytesPerConnection(),
                idle.serverFdLimit() == null ? "unknown" : idle.serverFdLimit().toString());
        // The pre-warm runs once, before the first measured step, at the fixed rate (as XMPP's side does).
        var fixed = (SustainedScenario.Result) new SustainedScenario(sustained(List.of(params.rate()), params.duration(), 0, params.prewarm()))
                .run(bench).result();
        var sweep = (SustainedScenario.Result) new SustainedScenario(sustained(params.sweepRates(), params.sweepDuration(), params.p99BoundMs(),
                Duration.ZERO)).run(bench).result();
        // No warm-up rounds: the sustained steps above have warmed the server, as XMPP's side
        // is warmed by its own.
        var drain = (DrainScenario.Result) new DrainScenario(new DrainScenario.Params(params.drainMessages(), params.drainRounds(), params.payloadBytes(), 0))
                .run(bench).result();
        List<DrainRound> rounds = drain.rounds().stream()
                .map(r -> new DrainRound(r.round(), r.messages(), r.fillSeconds(), r.upgradeMs(), r.firstDeliveredMs(), r.lastDeliveredMs())).toList();
        return Side.of(bench.serverDescription(), courierIdle, fixed.steps().getFirst(), sweep.steps(), params.p99BoundMs(), rounds);
    }

    /// Runs the same workload against `server` in XMPP.
    public Side ejabberd(EjabberdServer server, Progress progress) {
        return new XmppSide(server, params, progress).run();
    }

    private SustainedScenario.Params sustained(List<Integer> rates, Duration duration, double stopAboveP99Ms, Duration prewarm) {
        return new SustainedScenario.Params(rates, duration, params.warmup(), params.senders(), params.recipients(), params.payloadBytes(), 128,
                stopAboveP99Ms, SustainedScenario.Transport.WEBSOCKET, MessageIdOrder.TIME, prewarm, params.rate());
    }

    /// `asked`, or fewer when the server's open-file limit would refuse them (each connection is a
    /// descriptor on both sides), as the `idle` scenario bounds itself.
    static int idleTarget(int asked, Optional<FdLimit> server, Progress progress) {
        long bound = asked;
        Optional<FdLimit> mine = FdLimit.of("self");
        if (mine.isPresent()) bound = Math.min(bound, mine.get().soft() - 300);
        if (server.isPresent()) bound = Math.min(bound, server.get().soft() - 300);
        if (bound < asked) progress.say("idle connections bounded at " + bound + " by the open-file limit");
        return (int) Math.max(1, bound);
    }

    public RunReport report(String command, String started, Side courier, Side ejabberd) {
        Ratios ratios = Ratios.of(courier, ejabberd);
        boolean complete = delivered(courier) && delivered(ejabberd);
        List<String> notes = new ArrayList<>();
        if (!complete) notes.add("a side did not deliver every message it accepted: see missing in the steps");
        notes.add("Courier's send → delivered includes the send frame over its WebSocket and the fsync of the message before the push;"
                + " ejabberd's starts when the stanza is written and stores nothing for an online recipient (no acks, no archive)");
        notes.add("Courier deletes a message when the device acknowledges it; ejabberd deletes an offline message when it sends it");
        notes.add("the load generator runs on the same machine as the servers and shares its cores; the two sides ran one after the other");
        var result = new Result(courier, ejabberd, ratios, complete);
        return new RunReport("compare", started, command, Bench.environment(), courier.server() + " | " + ejabberd.server(), params, result, notes,
                List.of(summary(courier, ejabberd, ratios), sweepTable(courier, ejabberd)), charts(courier, ejabberd));
    }

    private static boolean delivered(Side s) {
        return s.fixedRate().missing() == 0 && s.fixedRate().delivered() == s.fixedRate().planned()
                && s.drain().stream().allMatch(r -> r.lastDeliveredMs() > 0);
    }

    private Table summary(Side c, Side e, Ratios r) {
        var t = Table.builder("Courier vs ejabberd (same generator, same machine, one after the other)",
                "measure", "Courier", "ejabberd", "Courier/ejabberd", "better");
        t.row("throughput at p99 ≤ " + LatencySummary.fmt(params.p99BoundMs()) + " ms (msgs/s)", rate(c), rate(e), throughputRatio(c, e, r), "higher");
        t.row("p50 send→delivered at " + params.rate() + "/s (ms)", LatencySummary.fmt(c.fixedRate().sendToDelivered().p50Ms()),
                LatencySummary.fmt(e.fixedRate().sendToDelivered().p50Ms()), ratio(r.p50AtRate()), "lower");
        t.row("p99 send→delivered at " + params.rate() + "/s (ms)", LatencySummary.fmt(c.fixedRate().sendToDelivered().p99Ms()),
                LatencySummary.fmt(e.fixedRate().sendToDelivered().p99Ms()), ratio(r.p99AtRate()), "lower");
        t.row("RSS per idle connection (" + c.idle().held() + " / " + e.idle().held() + " held)", bytes(c.idle().rssBytesPerConnection()),
                bytes(e.idle().rssBytesPerConnection()), ratio(r.rssPerIdleConnection()), "lower");
        t.row("drain " + params.drainMessages() + " offline, median last delivered (ms)", LatencySummary.fmt(c.medianLastDeliveredMs()),
                LatencySummary.fmt(e.medianLastDeliveredMs()), ratio(r.drainLastDelivered()), "lower");
        t.row("rate met / all delivered at " + params.rate() + "/s", yes(c.fixedRate()), yes(e.fixedRate()), "", "");
        return t.build();
    }

    private Table sweepTable(Side c, Side e) {
        var t = Table.builder("Rate sweep, send→delivered ms (p50 / p90 / p99 / p99.9 / max); stops at the first step over p99 "
                + LatencySummary.fmt(params.p99BoundMs()) + " ms", "server", "offered/s", "delivered/s", "send→delivered", "within bound");
        for (var side : List.of(c, e)) {
            String name = side == c ? "Courier" : "ejabberd";
            for (var s : side.sweep()) {
                t.row(name, s.offeredRate(), String.format("%.0f", s.achievedDeliveredRate()), s.sendToDelivered().cells(),
                        s.withinBound(params.p99BoundMs()) ? "yes" : "NO");
            }
        }
        return t.build();
    }

    private static List<Chart> charts(Side c, Side e) {
        List<Chart> charts = new ArrayList<>();
        charts.add(new Chart("send → delivered p99 against offered rate", "offered rate (msgs/s)", "p99 (ms, log)", true, List.of(
                new Chart.Series("Courier", c.sweep().stream().map(s -> new double[] {s.offeredRate(), s.sendToDelivered().p99Ms()}).toList()),
                new Chart.Series("ejabberd", e.sweep().stream().map(s -> new double[] {s.offeredRate(), s.sendToDelivered().p99Ms()}).toList()))));
        charts.add(new Chart("send → delivered p99 per second at the fixed rate", "seconds", "p99 (ms, log)", true, List.of(
                new Chart.Series("Courier", c.fixedRate().sendToDeliveredPerSecond().stream().filter(p -> p.count() > 0)
                        .map(p -> new double[] {p.tSeconds(), p.p99Ms()}).toList()),
                new Chart.Series("ejabberd", e.fixedRate().sendToDeliveredPerSecond().stream().filter(p -> p.count() > 0)
                        .map(p -> new double[] {p.tSeconds(), p.p99Ms()}).toList()))));
        return charts;
    }

    private String rate(Side s) {
        return s.throughputAtP99() != null ? Integer.toString(s.throughputAtP99()) : "< " + params.sweepRates().getFirst();
    }

    /// The ratio, or a bound on it when only the first side fell below the sweep's lowest rate.
    private String throughputRatio(Side c, Side e, Ratios r) {
        if (c.throughputAtP99() == null && e.throughputAtP99() != null) {
            return String.format("< %.2f", params.sweepRates().getFirst() / (double) e.throughputAtP99());
        }
        return ratio(r.throughputAtP99());
    }

    private static String yes(SustainedScenario.Step s) {
        return (s.rateMet() ? "yes" : "NO") + " / " + (s.missing() == 0 && s.delivered() == s.planned() ? "yes" : "NO");
    }

    private static String ratio(Double r) {
        return r == null ? "n/a" : String.format("%.2f", r);
    }

    private static String bytes(Double b) {
        return b == null ? "n/a" : Bytes.human(b);
    }

    static double ms(long nanos) {
        return Math.round(nanos / 1e4) / 100.0;
    }

    static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
