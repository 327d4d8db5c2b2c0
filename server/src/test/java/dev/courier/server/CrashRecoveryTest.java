package dev.courier.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.protocol.Envelope;
import dev.courier.server.config.ConfigLoader;
import dev.courier.server.testing.TestClient;
import dev.courier.server.testing.TestSocket;
import dev.courier.server.testing.TestServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/// Crash safety of the send path: the server is a separate JVM (started from [Main] as an
/// operator would start it) and is killed with SIGKILL while several senders are posting
/// messages. After a restart on the same data directory, every message that got a `200` must
/// reach the recipient's device; a send that got no answer may or may not have been kept.
///
/// Two rounds, so the second kill hits a database that was itself recovered from a crash. A
/// second test kills the server after socket acks, whose deletions commit without an fsync.
class CrashRecoveryTest {
    private static final int SENDERS = 8;
    private static final int ROUNDS = 2;
    /// The kill comes after this many acknowledged sends in a round, or after [#MAX_SEND_PHASE].
    private static final int ACKS_BEFORE_KILL = 400;
    private static final Duration MAX_SEND_PHASE = Duration.ofMillis(2500);
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);
    /// After `queue_empty`, how long the socket must stay quiet before the drain is over.
    private static final Duration QUIET = Duration.ofSeconds(1);
    private static final int SIGKILL_EXIT = 128 + 9;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Path> logs = new ArrayList<>();
    private Path dataDir;
    private Path logDir;
    private Process process;
    private int port;

    @BeforeEach
    void createDirectories() throws IOException {
        dataDir = Files.createTempDirectory("courier-crash-data");
        logDir = Files.createTempDirectory("courier-crash-logs");
    }

    @AfterEach
    void killServerAndCleanUp() throws InterruptedException {
        try {
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            http.close();
            TestServer.deleteRecursively(dataDir);
            TestServer.deleteRecursively(logDir);
        }
    }

    @Test
    void everyAcknowledgedSendSurvivesKillDashNineAndIsDeliveredAfterRestart() throws Exception {
        try {
            run();
        } catch (Throwable t) {
            t.addSuppressed(new AssertionError("server output:\n" + serverOutput()));
            throw t;
        }
    }

    /// The deletions of socket acks commit without an fsync of their own (synchronous=NORMAL):
    /// only a power loss may undo them, never the death of the server process.
    @Test
    void envelopesAcknowledgedOverTheSocketStayDeletedAfterKillDashNine() throws Exception {
        try {
            startServer();
            TestClient client = new TestClient(baseUrl());
            TestClient.Device sender = client.register("sender");
            TestClient.Device recipient = client.register("recipient");
            for (int i = 0; i < 20; i++) {
                assertThat(client.send(sender, ("m" + i).getBytes(StandardCharsets.UTF_8), recipient).status()).isEqualTo(200);
            }
            // Acknowledges all 20 over the socket and waits until the REST view shows them gone.
            assertThat(drain(recipient).delivered()).hasSize(20);
            killServer();

            startServer();
            assertThat(drain(recipient).delivered()).as("nothing acknowledged comes back after kill -9").isEmpty();
        } catch (Throwable t) {
            t.addSuppressed(new AssertionError("server output:\n" + serverOutput()));
            throw t;
        }
    }

    private void run() throws Exception {
        startServer();
        TestClient client = new TestClient(baseUrl());
        List<TestClient.Device> senders = new ArrayList<>();
        for (int i = 0; i < SENDERS; i++) senders.add(client.register("sender" + i));
        TestClient.Device recipient = client.register("recipient");

        List<String> summary = new ArrayList<>();
        for (int round = 1; round <= ROUNDS; round++) {
            SendStream stream = new SendStream(new TestClient(baseUrl()), senders, recipient, round);
            stream.start();
            long killAt = System.nanoTime() + MAX_SEND_PHASE.toNanos();
            while (stream.acknowledged.size() < ACKS_BEFORE_KILL && System.nanoTime() < killAt) Thread.sleep(5);

            int inFlightAtKill = stream.inFlight.get();
            int acknowledgedAtKill = stream.acknowledged.size();
            killServer();
            stream.stopAndJoin();

            Set<String> acknowledged = Set.copyOf(stream.acknowledged.keySet());
            Set<String> unacknowledged = Set.copyOf(stream.unacknowledged.keySet());
            String sendStats = "round " + round + ": " + acknowledged.size() + " sends got 200 ("
                    + acknowledgedAtKill + " when the kill was issued, " + inFlightAtKill + " requests in flight then), "
                    + unacknowledged.size() + " got no 200 " + stream.failures;
            assertThat(acknowledged).as("the senders got 200s before the kill; " + sendStats).isNotEmpty();
            assertThat(unacknowledged).as("the kill cut the stream of sends off mid-way; " + sendStats).isNotEmpty();

            startServer();
            Drain drain = drain(recipient);

            Set<String> thisRound = new HashSet<>();
            Set<String> fromEarlierRounds = new TreeSet<>();
            Set<String> unknown = new TreeSet<>();
            for (String id : drain.delivered) {
                if (acknowledged.contains(id) || unacknowledged.contains(id)) thisRound.add(id);
                else if (id.matches("r\\d+-.*") && !id.startsWith("r" + round + "-")) fromEarlierRounds.add(id);
                else unknown.add(id);
            }
            Set<String> lost = new TreeSet<>(acknowledged);
            lost.removeAll(thisRound);
            Set<String> keptUnacknowledged = new TreeSet<>(unacknowledged);
            keptUnacknowledged.retainAll(thisRound);
            String stats = sendStats + "; after restart " + drain.delivered.size() + " envelopes delivered ("
                    + keptUnacknowledged.size() + " of the sends without a 200 among them, "
                    + fromEarlierRounds.size() + " from earlier rounds), " + drain.duplicates.size() + " delivered twice, "
                    + lost.size() + " acknowledged sends missing";
            summary.add(stats);

            assertThat(unknown).as("every delivered envelope is one the test sent; " + stats).isEmpty();
            assertThat(lost).as("every send that got a 200 before kill -9 is delivered after the restart; " + stats)
                    .isEmpty();
            assertThat(drain.duplicates).as("no envelope is delivered twice in one drain; " + stats).isEmpty();
        }
        System.out.println("CrashRecoveryTest: " + String.join(" | ", summary));
    }

    // ---- the stream of concurrent sends ----

    /// [#SENDERS] virtual threads, each posting distinct messages (`r<round>-s<sender>-m<n>`) in a loop.
    private static final class SendStream {
        final ConcurrentHashMap<String, Boolean> acknowledged = new ConcurrentHashMap<>();
        final ConcurrentHashMap<String, Boolean> unacknowledged = new ConcurrentHashMap<>();
        final ConcurrentSkipListMap<String, Integer> failures = new ConcurrentSkipListMap<>();
        final AtomicInteger inFlight = new AtomicInteger();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final List<Thread> threads = new ArrayList<>();
        private final TestClient client;
        private final List<TestClient.Device> senders;
        private final TestClient.Device recipient;
        private final int round;

        SendStream(TestClient client, List<TestClient.Device> senders, TestClient.Device recipient, int round) {
            this.client = client;
            this.senders = senders;
            this.recipient = recipient;
            this.round = round;
        }

        void start() {
            for (int i = 0; i < senders.size(); i++) {
                int sender = i;
                threads.add(Thread.ofVirtual().name("sender-" + i).start(() -> sendLoop(sender)));
            }
        }

        private void sendLoop(int sender) {
            for (int n = 0; !stop.get(); n++) {
                String id = "r" + round + "-s" + sender + "-m" + n;
                inFlight.incrementAndGet();
                try {
                    int status = client.send(senders.get(sender), id.getBytes(StandardCharsets.UTF_8), recipient).status();
                    if (status == 200) {
                        acknowledged.put(id, true);
                    } else {
                        unacknowledged.put(id, true);
                        failures.merge("HTTP " + status, 1, Integer::sum);
                    }
                } catch (RuntimeException e) {
                    // Connection reset or refused: no answer, so the message may or may not be kept.
                    unacknowledged.put(id, true);
                    Throwable cause = e.getCause() == null ? e : e.getCause();
                    failures.merge(cause.getClass().getSimpleName(), 1, Integer::sum);
                } finally {
                    inFlight.decrementAndGet();
                }
            }
        }

        void stopAndJoin() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                if (!t.join(Duration.ofSeconds(40))) throw new AssertionError(t.getName() + " did not stop");
            }
        }
    }

    // ---- draining the recipient's queue over the delivery WebSocket ----

    private record Drain(List<String> delivered, Set<String> duplicates) {}

    /// Connects as `device`, acknowledges every envelope, and returns the contents delivered until
    /// `queue_empty` has come and the socket has been quiet for [#QUIET]. Then waits until the
    /// acknowledgements are committed (the REST view of the queue is empty).
    private Drain drain(TestClient.Device device) throws Exception {
        List<String> delivered = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        Set<String> duplicates = new TreeSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (var socket = TestSocket.connect(wsUrl(), device)) {
            boolean queueEmpty = false;
            while (true) {
                JsonNode frame = socket.next(queueEmpty ? QUIET : Duration.ofSeconds(10));
                if (frame == null) {
                    if (queueEmpty) break;
                    fail("no frame within 10 s and no queue_empty yet; " + delivered.size() + " envelopes so far");
                }
                if (System.nanoTime() > deadline) fail("the drain did not finish within 30 s");
                switch (frame.path("type").asText()) {
                    case "envelope" -> {
                        Envelope e = TestClient.JSON.treeToValue(frame.get("envelope"), Envelope.class);
                        String id = e.content() == null ? "<no content, type " + e.type() + ">"
                                : new String(e.content(), StandardCharsets.UTF_8);
                        delivered.add(id);
                        if (!seen.add(id)) duplicates.add(id);
                        socket.ack(e.guid());
                    }
                    case "queue_empty" -> queueEmpty = true;
                    default -> fail("unexpected frame " + frame);
                }
            }
        }
        // The acks are committed before the next round, so its drain is not mixed with this one.
        long ackDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        TestClient client = new TestClient(baseUrl());
        int left;
        while ((left = client.get("/v1/messages", device).body().get("envelopes").size()) > 0) {
            if (System.nanoTime() > ackDeadline) fail(left + " envelopes still queued 10 s after acknowledging them all");
            Thread.sleep(50);
        }
        return new Drain(delivered, duplicates);
    }

    // ---- the server process ----

    /// Starts `Main` in a new JVM on the data directory, on a free port, and waits for `/health`.
    private void startServer() throws Exception {
        for (int attempt = 1; ; attempt++) {
            port = freePort();
            Path log = logDir.resolve("server-" + (logs.size() + 1) + ".log");
            logs.add(log);
            process = serverProcess(log).start();
            if (awaitHealthy()) return;
            String output = Files.readString(log);
            // Another process may have taken the port between our probe and the server's bind.
            if (attempt < 3 && output.contains("cannot listen")) continue;
            fail("the server did not become healthy within " + STARTUP_TIMEOUT.toSeconds() + " s (exit "
                    + (process.isAlive() ? "none, still running" : process.exitValue()) + ")");
        }
    }

    private ProcessBuilder serverProcess(Path log) {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        var builder = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), Main.class.getName());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("COURIER_"));
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("http.host", "127.0.0.1");
        settings.put("http.port", Integer.toString(port));
        settings.put("storage.dataDir", dataDir.toString());
        settings.put("ratelimit.perIp", "1000000/1s");
        settings.put("ratelimit.registerPerIp", "1000000/1s");
        settings.put("ratelimit.sendPerAccount", "1000000/1s");
        settings.put("ratelimit.keyFetchPerAccount", "1000000/1s");
        settings.forEach((key, value) -> env.put(ConfigLoader.envName(key), value));
        return builder.redirectErrorStream(true).redirectOutput(log.toFile());
    }

    private boolean awaitHealthy() throws InterruptedException {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        var request = HttpRequest.newBuilder(URI.create(baseUrl() + "/health")).timeout(Duration.ofSeconds(2)).build();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) return false;
            try {
                if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return true;
            } catch (IOException notYet) {
                // Not listening yet.
            }
            Thread.sleep(50);
        }
        return false;
    }

    /// SIGKILL: no shutdown hook, no graceful close of the database; the process is gone at once.
    private void killServer() throws InterruptedException {
        long pid = process.pid();
        process.destroyForcibly();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("the server process exits after SIGKILL").isTrue();
        assertThat(process.isAlive()).isFalse();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid %d is gone", pid).isFalse();
        if (!System.getProperty("os.name").startsWith("Windows")) {
            assertThat(process.exitValue()).as("the server died of SIGKILL, not a graceful exit").isEqualTo(SIGKILL_EXIT);
        }
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    private String wsUrl() {
        return "ws://127.0.0.1:" + port + "/v1/websocket";
    }

    private String serverOutput() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Path log : logs) {
            try {
                String text = Files.readString(log);
                out.put(log.getFileName().toString(), text.length() > 20_000 ? "…" + text.substring(text.length() - 20_000) : text);
            } catch (IOException e) {
                out.put(log.getFileName().toString(), "(unreadable: " + e.getMessage() + ")");
            }
        }
        StringBuilder sb = new StringBuilder();
        out.forEach((name, text) -> sb.append("---- ").append(name).append(" ----\n").append(text));
        return sb.toString();
    }
}
