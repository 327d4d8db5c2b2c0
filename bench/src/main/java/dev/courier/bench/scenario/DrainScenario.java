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
import dev.courier.bench.report.RunReport;
import dev.courier.bench.report.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/// Scenario 3: `messages` envelopes wait for an offline device; it connects; how long until the
/// last one is delivered and acknowledged?
///
/// The clock starts just before the WebSocket upgrade request, so the time includes the
/// connection and authentication, as a phone waking up would see it. The device acknowledges
/// each envelope the moment it arrives. Reported per round: until the last envelope arrived,
/// until its ack was written to the socket, and until the server confirms the queue is empty
/// (`GET /v1/messages` answers with no envelopes: every ack processed and every row deleted).
///
/// The first `warmupRounds` rounds run the same way but are kept out of the median and the best:
/// a fresh server's JIT compiles the delivery path during them (in a profile of a six-round run,
/// the C2 compiler threads took over a third of the server's CPU), and a server in service is
/// warm. They are in the table, marked, and in the JSON as `warmup`.
public final class DrainScenario implements Scenario {
    private static final int FILL_IN_FLIGHT = 64;

    public record Params(int messages, int rounds, int payloadBytes, int warmupRounds) {}

    public record Round(int round, int messages, double fillSeconds, double upgradeMs, double firstDeliveredMs,
                        double queueEmptyFrameMs, double lastDeliveredMs, double lastAckSentMs, double serverEmptyMs) {}

    public record Result(List<Round> warmup, List<Round> rounds, double medianLastAckSentMs, double bestLastAckSentMs,
                         double medianServerEmptyMs) {}

    private final Params params;

    public DrainScenario(Params params) {
        this.params = params;
    }

    @Override
    public RunReport run(Bench bench) {
        String started = Bench.now();
        List<Round> warmup = new ArrayList<>();
        List<Round> rounds = new ArrayList<>();
        try (LoadClients clients = bench.clients(FILL_IN_FLIGHT)) {
            var registrar = new Registrar(clients.api());
            BenchDevice sender = registrar.register(1, "s", Registrar.Progress.NONE).getFirst();
            Payloads payloads = new Payloads(params.payloadBytes());
            int total = params.warmupRounds() + params.rounds();
            for (int round = 1; round <= total; round++) {
                BenchDevice recipient = registrar.register(1, "r", Registrar.Progress.NONE).getFirst();
                Round r = round(bench, clients, sender, recipient, payloads, round);
                (round <= params.warmupRounds() ? warmup : rounds).add(r);
            }
        }
        Result result = new Result(warmup, rounds, median(rounds, Round::lastAckSentMs),
                rounds.stream().mapToDouble(Round::lastAckSentMs).min().orElse(0), median(rounds, Round::serverEmptyMs));
        var table = Table.builder("Backlog drain of " + params.messages() + " queued messages (ms from connect)",
                "round", "upgrade", "first", "queue_empty", "last delivered", "last ack sent", "server queue empty");
        for (Round r : warmup) {
            table.row(r.round() + " (warm-up)", r.upgradeMs(), r.firstDeliveredMs(), r.queueEmptyFrameMs(), r.lastDeliveredMs(),
                    r.lastAckSentMs(), r.serverEmptyMs());
        }
        for (Round r : rounds) {
            table.row(r.round(), r.upgradeMs(), r.firstDeliveredMs(), r.queueEmptyFrameMs(), r.lastDeliveredMs(), r.lastAckSentMs(), r.serverEmptyMs());
        }
        table.row("median", "", "", "", "", result.medianLastAckSentMs(), result.medianServerEmptyMs());
        var chart = new Chart("Drain time per round", "round", "ms from connect", false, List.of(
                new Chart.Series("last delivered", rounds.stream().map(r -> new double[] {r.round(), r.lastDeliveredMs()}).toList()),
                new Chart.Series("last ack sent", rounds.stream().map(r -> new double[] {r.round(), r.lastAckSentMs()}).toList()),
                new Chart.Series("server queue empty", rounds.stream().map(r -> new double[] {r.round(), r.serverEmptyMs()}).toList())));
        List<String> notes = new ArrayList<>();
        if (!warmup.isEmpty()) {
            notes.add("the first " + warmup.size() + " round(s) warmed the server's JIT up and are not in the median or the best");
        }
        notes.add("the load generator runs on the same machine as the server and shares its cores");
        return new RunReport("drain", started, bench.command(), Bench.environment(), bench.serverDescription(), params, result, notes,
                List.of(table.build()), List.of(chart));
    }

    private Round round(Bench bench, LoadClients clients, BenchDevice sender, BenchDevice recipient, Payloads payloads, int round) {
        int n = params.messages();
        bench.progress().say("round " + round + ": queueing " + n + " messages for an offline device");
        long fillStart = System.nanoTime();
        fill(bench, clients.api(), sender, recipient, payloads, n);
        double fillSeconds = (System.nanoTime() - fillStart) / 1e9;

        CountDownLatch all = new CountDownLatch(1);
        AtomicLong count = new AtomicLong();
        long[] first = {0};
        long[] lastDelivered = {0};
        long[] lastAck = {0};
        DeliverySocket.Handler handler = (socket, guid, content, at) -> {
            long c = count.incrementAndGet();
            if (c == 1) first[0] = at;
            socket.ack(guid);
            if (c == n) {
                socket.flushAcks();
                lastDelivered[0] = at;
                lastAck[0] = System.nanoTime();
                all.countDown();
            }
            return false;
        };
        long t0 = System.nanoTime();
        DeliverySocket socket;
        try {
            socket = clients.sockets().connect(recipient, handler).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new LoadException("the drain WebSocket did not connect: " + e.getMessage(), e);
        }
        long upgraded = socket.openedNanos();
        try {
            if (!all.await(120, TimeUnit.SECONDS)) {
                throw new LoadException("round " + round + ": only " + count.get() + " of " + n + " envelopes arrived within 120 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LoadException("interrupted");
        }
        long queueEmptyAt = awaitQueueEmptyFrame(socket);
        long serverEmpty = awaitServerEmpty(clients.api(), recipient);
        socket.close();
        Round r = new Round(round, n, Math.round(fillSeconds * 100) / 100.0, ms(upgraded - t0), ms(first[0] - t0), ms(queueEmptyAt - t0),
                ms(lastDelivered[0] - t0), ms(lastAck[0] - t0), ms(serverEmpty - t0));
        bench.progress().say("round " + round + ": last ack sent " + r.lastAckSentMs() + " ms, server queue empty " + r.serverEmptyMs() + " ms after connect");
        return r;
    }

    private static long awaitQueueEmptyFrame(DeliverySocket socket) {
        try {
            socket.queueEmpty().get(30, TimeUnit.SECONDS);
            return socket.queueEmptyNanos();
        } catch (Exception e) {
            throw new LoadException("no queue_empty frame after the backlog: " + e.getMessage(), e);
        }
    }

    /// Polls `GET /v1/messages` as the device until its queue is empty: then every ack has been
    /// processed and every envelope deleted.
    private static long awaitServerEmpty(HttpApi api, BenchDevice device) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            var r = api.get("/v1/messages", device);
            if (r.getStatus() == 200 && r.getContentAsString().contains("\"envelopes\":[]")) return System.nanoTime();
            SustainedScenario.sleep(1);
        }
        throw new LoadException("the server still held envelopes 30 s after the last ack");
    }

    private static void fill(Bench bench, HttpApi api, BenchDevice sender, BenchDevice recipient, Payloads payloads, int n) {
        Semaphore slots = new Semaphore(FILL_IN_FLIGHT);
        List<CompletableFuture<Integer>> sends = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            slots.acquireUninterruptibly();
            sends.add(api.sendMessage(sender, HttpApi.sendBody(recipient, MessageIdOrder.TIME.next(), payloads.content(i, System.nanoTime())))
                    .whenComplete((s, e) -> slots.release()));
            bench.progress().maybe("queued " + i + " of " + n);
        }
        for (var f : sends) {
            int status = f.join();
            if (status != 200) throw new LoadException("queueing the backlog: a send answered " + status + " (is messages.maxQueueDepth below " + n + "?)");
        }
    }

    private static double ms(long nanos) {
        return Math.round(nanos / 1e4) / 100.0;
    }

    private static double median(List<Round> rounds, java.util.function.ToDoubleFunction<Round> f) {
        double[] v = rounds.stream().mapToDouble(f).sorted().toArray();
        if (v.length == 0) return 0;
        double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        return Math.round(median * 100) / 100.0; // the rounds' own precision, not 494.65499999999997
    }
}
