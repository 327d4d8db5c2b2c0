package dev.courier.bench.scenario;

import dev.courier.bench.load.BenchDevice;
import dev.courier.bench.load.DeliverySocket;
import dev.courier.bench.load.LoadClients;
import dev.courier.bench.load.Registrar;
import dev.courier.bench.report.Bytes;
import dev.courier.bench.report.Chart;
import dev.courier.bench.report.RunReport;
import dev.courier.bench.report.Table;
import dev.courier.bench.target.FdLimit;
import dev.courier.bench.target.MemorySample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/// Scenario 1: ramp up idle delivery WebSockets until `target` or the first failure, hold them,
/// and weigh the server.
///
/// Memory per connection is (after − before) / held, where both samples follow a full GC of the
/// server (when the harness started it), so the heap figure is what the connections keep alive
/// and not garbage. RSS includes everything native: thread stacks, direct buffers, the kernel
/// side is not in it (socket buffers belong to the kernel).
///
/// Every socket is a file descriptor in the generator and another in the server, so the
/// open-file limits bound the run; the harness reads both (`/proc/<pid>/limits`), stops short
/// of them and says so, unless asked to ramp until failure anyway.
public final class IdleScenario implements Scenario {
    /// Descriptors each process keeps for everything that is not a connection (jars, the
    /// database, pipes, the HTTP pool).
    static final int FD_RESERVE = 300;

    public record Params(int target, Duration hold, int inFlight, boolean pastFdLimit) {}

    public record Result(int requested, int target, long opened, long failed, long held, String stoppedBecause,
                         int sourceAddresses, double rampSeconds, double connectsPerSecond, Long serverConnectionsGauge,
                         MemorySample before, MemorySample after, Double heapBytesPerConnection, Double rssBytesPerConnection,
                         Double directBufferBytesPerConnection, FdLimit generatorFdLimit, FdLimit serverFdLimit,
                         List<double[]> rampConnectionsOverTime, List<double[]> rampRssMiBOverTime) {}

    private final Params params;

    public IdleScenario(Params params) {
        this.params = params;
    }

    @Override
    public RunReport run(Bench bench) {
        String started = Bench.now();
        List<String> notes = new ArrayList<>();
        Optional<FdLimit> mine = FdLimit.of("self");
        Optional<FdLimit> theirs = bench.server().fdLimit();
        int target = params.target();
        long bound = Long.MAX_VALUE;
        if (mine.isPresent()) bound = Math.min(bound, mine.get().soft() - FD_RESERVE);
        if (theirs.isPresent()) bound = Math.min(bound, theirs.get().soft() - FD_RESERVE);
        if (bound < target) {
            String limits = "open-file limit: generator " + mine.map(FdLimit::toString).orElse("unknown") + ", server "
                    + theirs.map(FdLimit::toString).orElse("unknown (remote)");
            if (params.pastFdLimit()) {
                notes.add(limits + "; ramping past it until failure as asked");
            } else {
                target = (int) Math.max(1, bound);
                notes.add(limits + " (soft limits already raised to the hard limit); this run is bounded at " + target
                        + " connections of the " + params.target() + " asked. Raise the hard limit (ulimit -Hn, limits.conf, or the container's nofile) to go further.");
            }
        }
        bench.progress().say("target " + target + " idle WebSockets");
        Result result;
        try (LoadClients clients = bench.clients(64)) {
            var registrar = new Registrar(clients.api());
            AtomicLong registered = new AtomicLong();
            int total = target;
            List<BenchDevice> devices = registrar.register(target, "i", () -> {
                long n = registered.incrementAndGet();
                bench.progress().maybe("registered " + n + " of " + total + " devices");
            });
            MemorySample before = bench.server().memory(true);
            bench.progress().say("server before: heap " + Bytes.human(before.heapUsedBytes()) + ", RSS "
                    + (before.rssBytes() == null ? "n/a" : Bytes.human(before.rssBytes())));

            Semaphore slots = new Semaphore(params.inFlight());
            AtomicLong opened = new AtomicLong();
            AtomicLong failed = new AtomicLong();
            AtomicReference<String> firstFailure = new AtomicReference<>();
            List<double[]> rampCount = new ArrayList<>();
            List<double[]> rampRss = new ArrayList<>();
            long start = System.nanoTime();
            long lastSample = 0;
            int launched = 0;
            for (BenchDevice d : devices) {
                if (failed.get() > 0) break;
                slots.acquireUninterruptibly();
                launched++;
                clients.sockets().connect(d, DeliverySocket.Handler.ACK_ALL).whenComplete((s, e) -> {
                    if (e == null) {
                        opened.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                        firstFailure.compareAndSet(null, rootMessage(e));
                    }
                    slots.release();
                });
                long now = System.nanoTime();
                if (now - lastSample > 1_000_000_000L) {
                    lastSample = now;
                    sampleRamp(bench, start, opened.get(), rampCount, rampRss);
                }
            }
            slots.acquireUninterruptibly(params.inFlight());
            slots.release(params.inFlight());
            double rampSeconds = (System.nanoTime() - start) / 1e9;
            sampleRamp(bench, start, opened.get(), rampCount, rampRss);
            String stopped = failed.get() > 0 ? "failure after " + launched + " attempts: " + firstFailure.get()
                    : target < params.target() ? "open-file limit" : "target reached";
            bench.progress().say(opened.get() + " open, " + failed.get() + " failed (" + stopped + "); holding " + params.hold().toSeconds() + " s");
            long holdUntil = System.nanoTime() + params.hold().toNanos();
            while (System.nanoTime() < holdUntil) {
                SustainedScenario.sleep(Math.min(1000, Math.max(1, (holdUntil - System.nanoTime()) / 1_000_000)));
                bench.progress().maybe("holding " + clients.sockets().open() + " idle WebSockets");
            }
            long held = clients.sockets().open();
            Long gauge = gauge(bench);
            MemorySample after = bench.server().memory(true);
            Double heapPer = held == 0 ? null : round((after.heapUsedBytes() - before.heapUsedBytes()) / (double) held);
            Double rssPer = held == 0 || after.rssBytes() == null || before.rssBytes() == null ? null
                    : round((after.rssBytes() - before.rssBytes()) / (double) held);
            Double directPer = held == 0 ? null : round((after.directBufferBytes() - before.directBufferBytes()) / (double) held);
            result = new Result(params.target(), target, opened.get(), failed.get(), held, stopped, clients.sockets().addressesUsed(),
                    Math.round(rampSeconds * 100) / 100.0, round(opened.get() / rampSeconds), gauge, before, after, heapPer, rssPer, directPer,
                    mine.orElse(null), theirs.orElse(null), rampCount, rampRss);
        }
        if (!result.before().collected()) {
            notes.add("the heap figures are not after a full GC (the harness cannot trigger one in a --target server), so they include garbage");
        }
        notes.add("the load generator runs on the same machine as the server and shares its cores");
        var table = Table.builder("Idle WebSockets", "held", "asked", "failed", "stopped because", "source addrs", "connects/s",
                "heap/conn", "RSS/conn", "direct/conn");
        table.row(result.held(), result.requested(), result.failed(), result.stoppedBecause(), result.sourceAddresses(),
                String.format("%.0f", result.connectsPerSecond()), perConn(result.heapBytesPerConnection()), perConn(result.rssBytesPerConnection()),
                perConn(result.directBufferBytesPerConnection()));
        var memory = Table.builder("Server memory", "when", "heap used", "non-heap", "direct buffers", "RSS", "after full GC");
        row(memory, "before", result.before());
        row(memory, "after", result.after());
        List<Chart> charts = List.of(
                new Chart("Connections during the ramp", "seconds", "open WebSockets", false,
                        List.of(new Chart.Series("open", result.rampConnectionsOverTime()))),
                new Chart("Server RSS during the ramp", "seconds", "RSS (MiB)", false,
                        List.of(new Chart.Series("RSS", result.rampRssMiBOverTime()))));
        return new RunReport("idle", started, bench.command(), Bench.environment(), bench.serverDescription(), params, result, notes,
                List.of(table.build(), memory.build()), charts);
    }

    private static void row(Table.Builder t, String when, MemorySample m) {
        t.row(when, Bytes.human(m.heapUsedBytes()), Bytes.human(m.nonHeapUsedBytes()), Bytes.human(m.directBufferBytes()),
                m.rssBytes() == null ? "n/a" : Bytes.human(m.rssBytes()), m.collected() ? "yes" : "no");
    }

    private static String perConn(Double bytes) {
        return bytes == null ? "n/a" : Bytes.human(bytes);
    }

    private static void sampleRamp(Bench bench, long start, long open, List<double[]> count, List<double[]> rss) {
        double t = Math.round((System.nanoTime() - start) / 1e8) / 10.0;
        count.add(new double[] {t, open});
        try {
            Long r = bench.server().memory(false).rssBytes();
            if (r != null) rss.add(new double[] {t, Math.round(r / 1048576.0 * 10) / 10.0});
        } catch (RuntimeException ignored) {
            // A missed sample only thins the chart.
        }
        bench.progress().say(open + " WebSockets open");
    }

    private static Long gauge(Bench bench) {
        double v = bench.server().metrics().sum("courier_websocket_connections", null);
        return Double.isNaN(v) ? null : (long) v;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
