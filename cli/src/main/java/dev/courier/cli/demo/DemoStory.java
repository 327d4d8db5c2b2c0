package dev.courier.cli.demo;

import dev.courier.cli.failure.CliFailure;
import dev.courier.cli.output.Formats;
import dev.courier.cli.output.Output;
import dev.courier.client.CourierClient;
import dev.courier.client.Message;
import dev.courier.client.MessageStatus;
import dev.courier.client.TraceStep;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/// The seed story, played for real: alice and bob register, alice sends "Hello!" while bob is
/// online, then again while bob is offline, and bob comes online and gets it. Every time printed
/// was measured on this run.
final class DemoStory {
    static final String TEXT = "Hello!";
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(10);

    private final Output out;
    private final DemoServer server;
    private final Path work;
    private final String aliceName;
    private final String bobName;
    private final Journey journey = new Journey();

    DemoStory(Output out, DemoServer server, Path work, String aliceName, String bobName) {
        this.out = out;
        this.server = server;
        this.work = work;
        this.aliceName = aliceName;
        this.bobName = bobName;
    }

    void play() throws Exception {
        Path bobDir = work.resolve("bob");
        try (CourierClient alice = CourierClient.register(work.resolve("alice"), server.url(), aliceName, null)) {
            alice.addListener(journey);
            Run online;
            int connectionsWithBob;
            try (CourierClient bob = CourierClient.register(bobDir, server.url(), bobName, null)) {
                bob.addListener(journey);
                out.emit(Output.fields("type", "demo_users", "alice", aliceName, "bob", bobName, "dir", work.toString()),
                        "Registered " + aliceName + " and " + bobName + ": two new devices, each with its own keys, in a temporary directory");
                connect(alice, aliceName);
                connect(bob, bobName);
                online = playOnline(alice);
                RunReport.print(out, online, "Run 1: " + bobName + " online (connected before " + aliceName + " sends)");
                // Let bob's delivery receipt reach alice now, so it cannot land in run 2's measurements.
                alice.awaitStatus(online.messageId(), MessageStatus.DELIVERED, STEP_TIMEOUT);
                connectionsWithBob = server.connections();
            }
            awaitDisconnect(connectionsWithBob);
            Run offline = playOffline(alice, bobDir);
            RunReport.print(out, offline, "Run 2: " + bobName + " offline when " + aliceName + " sends, then comes online");
            summary(online, offline);
        }
    }

    private Run playOnline(CourierClient alice) throws Exception {
        DeliveryCounters before = server.counters();
        CompletableFuture<DeliveryCounters> atArrival = new CompletableFuture<>();
        journey.beforeNextArrival(() -> {
            try {
                atArrival.complete(server.counters());
            } catch (RuntimeException e) {
                atArrival.completeExceptionally(e);
            }
        });
        Message sent = alice.send(bobName, TEXT);
        Message got = arrival(sent);
        awaitSent(alice, sent);
        DeliveryCounters delta = counters(atArrival).minus(before);
        return new Run(true, sent.id(), aliceName, bobName, journey.steps(sent.id()), delta, null, got.body(), true);
    }

    /// Bob's device is shut down; alice sends; then bob's device starts again and connects.
    private Run playOffline(CourierClient alice, Path bobDir) throws Exception {
        DeliveryCounters before = server.counters();
        Message sent = alice.send(bobName, TEXT);
        awaitSent(alice, sent);
        DeliveryCounters delta = server.counters().minus(before);
        long comesOnline = nowNanos();
        try (CourierClient bob = CourierClient.open(bobDir)) {
            bob.addListener(journey);
            connect(bob, bobName);
            Message got = arrival(sent);
            return new Run(false, sent.id(), aliceName, bobName, journey.steps(sent.id()), delta, comesOnline, got.body(), false);
        }
    }

    /// Waits until the server no longer counts bob's WebSocket, so run 2 really finds him offline.
    private void awaitDisconnect(int connectionsWithBob) throws InterruptedException {
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
        while (server.connections() >= connectionsWithBob && System.nanoTime() < deadline) Thread.sleep(5);
    }

    private void summary(Run online, Run offline) {
        long a = online.end() - online.start();
        long b = offline.end() - offline.start();
        out.text("");
        out.emit(Output.fields("type", "demo_summary", "onlineTotalMs", Formats.millisValue(a), "offlineTotalMs", Formats.millisValue(b)),
                "Message 1 (" + bobName + " online): " + Formats.millis(a) + " from request to acknowledgement.\n"
                        + "Message 2 (" + bobName + " offline): " + Formats.millis(b) + ", including the "
                        + Formats.millis(offline.cameOnlineAt() - offline.at(TraceStep.STORED_BY_SERVER))
                        + " it waited on the server until " + bobName + " came online.");
    }

    private void connect(CourierClient client, String name) {
        if (!client.connect(STEP_TIMEOUT)) {
            throw CliFailure.failed(name + "'s device could not connect to " + server.url() + " within " + STEP_TIMEOUT.toSeconds() + " s");
        }
    }

    private Message arrival(Message sent) throws InterruptedException {
        try {
            return journey.awaitArrival(sent.id(), STEP_TIMEOUT);
        } catch (TimeoutException e) {
            throw CliFailure.failed(bobName + " did not receive the message within " + STEP_TIMEOUT.toSeconds() + " s");
        }
    }

    private void awaitSent(CourierClient alice, Message sent) {
        MessageStatus s = alice.awaitStatus(sent.id(), MessageStatus.SENT, STEP_TIMEOUT);
        if (s != MessageStatus.SENT && s != MessageStatus.DELIVERED && s != MessageStatus.READ) {
            throw CliFailure.failed("the server did not accept the message within " + STEP_TIMEOUT.toSeconds() + " s (status " + s + ")");
        }
    }

    private static DeliveryCounters counters(CompletableFuture<DeliveryCounters> reading) throws InterruptedException {
        try {
            return reading.get(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw CliFailure.failed("could not read the server's metrics when the message arrived");
        }
    }

    /// The clock the SDK's trace times use: epoch nanoseconds (microsecond resolution).
    private static long nowNanos() {
        Instant i = Instant.now();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }
}
