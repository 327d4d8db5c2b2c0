package dev.courier.bench.versus;

import dev.courier.bench.load.Payloads;
import dev.courier.bench.report.Progress;
import dev.courier.bench.scenario.OpenLoopStep;
import dev.courier.bench.scenario.SustainedScenario;
import dev.courier.bench.target.CpuSample;
import dev.courier.bench.target.EjabberdServer;
import dev.courier.bench.target.FdLimit;
import dev.courier.bench.xmpp.Stanzas;
import dev.courier.bench.xmpp.XmppClients;
import dev.courier.bench.xmpp.XmppConnection;
import dev.courier.bench.xmpp.XmppException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/// The comparison's workload against ejabberd, spoken in XMPP by this generator: the same
/// shapes as the Courier side (idle connections, an open-loop rate, a rate sweep, an offline
/// backlog), the same payloads (the same base64 text as Courier's `content`, as the `<body>`),
/// and the same timing code ([OpenLoopStep]).
///
/// What "delivered" means here: the `<message>` arrived on the recipient's socket. What
/// "accepted" means: the stanza was handed to the sender's socket, since plain XMPP (no stream
/// management, XEP-0198) answers nothing to a message.
final class XmppSide {
    private static final long SETTLE_MS = 1_000;
    private final EjabberdServer server;
    private final Comparison.Params params;
    private final Progress progress;
    private final Payloads payloads;

    XmppSide(EjabberdServer server, Comparison.Params params, Progress progress) {
        this.server = server;
        this.params = params;
        this.progress = progress;
        this.payloads = new Payloads(params.payloadBytes());
    }

    Comparison.Side run() {
        Comparison.Idle idle = idle();
        if (!params.prewarm().isZero()) {
            progress.say("ejabberd: pre-warm, " + params.prewarm().toSeconds() + " s at " + params.rate() + " msgs/s (not reported)");
            sustained(List.of(params.rate()), params.prewarm(), 0, "p");
        }
        List<SustainedScenario.Step> fixed = sustained(List.of(params.rate()), params.duration(), 0, "f");
        List<SustainedScenario.Step> sweep = sustained(params.sweepRates(), params.sweepDuration(), params.p99BoundMs(), "w");
        List<Comparison.DrainRound> drain = drain();
        return Comparison.Side.of(server.description(), idle, fixed.getFirst(), sweep, params.p99BoundMs(), drain);
    }

    private Comparison.Idle idle() {
        int n = Comparison.idleTarget(params.idleConnections(), server.fdLimit(), progress);
        try (XmppClients clients = clients()) {
            progress.say("ejabberd: registering " + n + " users for idle connections");
            List<String> users = clients.register("i", n);
            // The Erlang VM collects each process's heap on its own schedule: give the
            // registration's garbage a moment to go before weighing.
            SustainedScenario.sleep(SETTLE_MS);
            Long before = server.rssBytes();
            long start = System.nanoTime();
            clients.loginAll(users, 256, XmppConnection.Listener.IGNORE);
            double seconds = (System.nanoTime() - start) / 1e9;
            progress.say("ejabberd: " + n + " idle sessions open; holding " + params.idleHold().toSeconds() + " s");
            SustainedScenario.sleep(Math.max(SETTLE_MS, params.idleHold().toMillis()));
            Long after = server.rssBytes();
            return Comparison.Idle.of(n, seconds, before, after, null, server.fdLimit().map(FdLimit::toString).orElse("unknown"));
        }
    }

    private List<SustainedScenario.Step> sustained(List<Integer> rates, Duration duration, double stopAboveP99Ms, String prefix) {
        try (XmppClients clients = clients()) {
            progress.say("ejabberd: registering and logging in " + params.senders() + " senders and " + params.recipients() + " recipients");
            List<String> senderNames = clients.register(prefix + "s", params.senders());
            List<String> recipientNames = clients.register(prefix + "r", params.recipients());
            var current = new AtomicReference<OpenLoopStep>();
            AtomicLong strays = new AtomicLong();
            XmppConnection.Listener receiving = (c, stanza, at) -> {
                Payloads.Stamp stamp = stamp(stanza);
                OpenLoopStep step = current.get();
                if (stamp == null || step == null || !step.delivered(stamp, at)) strays.incrementAndGet();
            };
            List<XmppConnection> recipients = clients.loginAll(recipientNames, 256, receiving);
            List<XmppConnection> senders = clients.loginAll(senderNames, 256, XmppConnection.Listener.IGNORE);
            List<String> to = recipients.stream().map(c -> clients.jid(c.user())).toList();
            List<SustainedScenario.Step> steps = new ArrayList<>();
            long base = 0;
            for (int rate : rates) {
                OpenLoopStep.Sender send = (from, recipient, sequence, intended) -> {
                    try {
                        senders.get(from).send(Stanzas.chat(to.get(recipient), "m" + sequence, payloads.content(sequence, intended)));
                        return CompletableFuture.completedFuture(200);
                    } catch (RuntimeException e) {
                        return CompletableFuture.failedFuture(e);
                    }
                };
                var step = new OpenLoopStep(progress, duration, params.warmup(), rate, base, senders.size(), recipients.size(), send, () -> null,
                        () -> CpuSample.take(OptionalLong.empty(), () -> null));
                current.set(step);
                SustainedScenario.Step result = step.run();
                current.set(null);
                base += step.planned();
                steps.add(result);
                if (stopAboveP99Ms > 0 && !result.withinBound(stopAboveP99Ms)) break;
            }
            return steps;
        }
    }

    private List<Comparison.DrainRound> drain() {
        List<Comparison.DrainRound> rounds = new ArrayList<>();
        try (XmppClients clients = clients()) {
            String senderName = clients.register("ds", 1).getFirst();
            List<String> recipients = clients.register("dr", params.drainRounds());
            XmppConnection sender = clients.loginAll(List.of(senderName), 1, XmppConnection.Listener.IGNORE).getFirst();
            for (int round = 1; round <= params.drainRounds(); round++) {
                rounds.add(drainRound(clients, sender, recipients.get(round - 1), round));
            }
        }
        return rounds;
    }

    private Comparison.DrainRound drainRound(XmppClients clients, XmppConnection sender, String recipient, int round) {
        int n = params.drainMessages();
        progress.say("ejabberd round " + round + ": sending " + n + " messages to an offline user");
        long fillStart = System.nanoTime();
        String to = clients.jid(recipient);
        for (int i = 0; i < n; i++) sender.send(Stanzas.chat(to, "d" + i, payloads.content(i, System.nanoTime())));
        // The sender's stream is processed in order, and offline storage happens while routing:
        // once the server answers this, every message before it is stored.
        XmppClients.await(sender.roundTrip("stored-" + round), 120, "storing the offline messages");
        double fillSeconds = (System.nanoTime() - fillStart) / 1e9;

        AtomicLong count = new AtomicLong();
        long[] first = {0};
        long[] last = {0};
        CountDownLatch all = new CountDownLatch(1);
        XmppConnection.Listener listener = (c, stanza, at) -> {
            long k = count.incrementAndGet();
            if (k == 1) first[0] = at;
            if (k == n) {
                last[0] = at;
                all.countDown();
            }
        };
        long t0 = System.nanoTime();
        XmppConnection connection = XmppClients.await(clients.login(recipient, listener), 60, "logging the drain user in");
        long loggedIn = System.nanoTime();
        try {
            if (!all.await(120, TimeUnit.SECONDS)) {
                throw new XmppException("round " + round + ": only " + count.get() + " of " + n + " offline messages arrived within 120 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new XmppException("interrupted");
        }
        connection.close();
        var r = new Comparison.DrainRound(round, n, Comparison.round2(fillSeconds), Comparison.ms(loggedIn - t0), Comparison.ms(first[0] - t0),
                Comparison.ms(last[0] - t0));
        progress.say("ejabberd round " + round + ": last delivered " + r.lastDeliveredMs() + " ms after connect");
        return r;
    }

    /// The send a delivered `<message>` carries in its body, or null if it is not one of ours.
    static Payloads.Stamp stamp(String stanza) {
        String body = Stanzas.body(stanza);
        if (body == null) return null;
        try {
            byte[] content = Base64.getDecoder().decode(body);
            return content.length < Payloads.HEADER ? null : Payloads.Stamp.of(content);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private XmppClients clients() {
        return new XmppClients(server.address(), EjabberdServer.HOST);
    }
}
