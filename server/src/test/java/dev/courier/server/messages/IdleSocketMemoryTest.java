package dev.courier.server.messages;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.server.testing.ServerProcess;
import dev.courier.server.testing.TestClient;
import dev.courier.server.testing.TestServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/// What an idle delivery socket keeps alive in the server: nothing of its HTTP upgrade request,
/// and a few KiB in all. The server runs in a process of its own (with the serial collector), so
/// that a class histogram after a full GC counts its live objects and nothing of the test's
/// client sockets. `./courier-bench idle` measures the same at scale, with the shipped flags.
class IdleSocketMemoryTest {
    private static final int WARM_UP = 20;
    private static final int SOCKETS = 200;
    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)", Pattern.MULTILINE);
    private static final Pattern TOTAL = Pattern.compile("^Total\\s+\\d+\\s+(\\d+)", Pattern.MULTILINE);

    private Path dir;
    private ServerProcess server;
    private final List<WebSocket> sockets = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        dir = Files.createTempDirectory("courier-idle-memory");
        server = ServerProcess.start("idle-memory", Map.of("storage.dataDir", dir.resolve("data").toString(),
                "ratelimit.perIp", "1000000/1s", "ratelimit.registerPerIp", "1000000/1s"), dir);
    }

    @AfterEach
    void stop() throws IOException {
        sockets.forEach(WebSocket::abort);
        server.close();
        TestServer.deleteRecursively(dir);
    }

    @Test
    void idleSocketsKeepNothingOfTheirUpgradeRequestAndAFewKibEach() throws Exception {
        var client = new TestClient(server.baseUrl());
        List<TestClient.Device> devices = new ArrayList<>();
        for (int i = 0; i < WARM_UP + SOCKETS; i++) devices.add(client.register("user" + i));
        HttpClient shared = HttpClient.newHttpClient();
        // The first sockets load classes and fill caches that later ones share; weigh after them.
        open(shared, devices.subList(0, WARM_UP));
        Histogram before = histogram();
        open(shared, devices.subList(WARM_UP, WARM_UP + SOCKETS));
        Histogram after = histogram();

        for (String upgradeOnly : List.of("org.eclipse.jetty.server.internal.HttpConnection", "org.eclipse.jetty.http.HttpParser",
                "org.eclipse.jetty.server.internal.HttpChannelState", "org.eclipse.jetty.ee10.servlet.ServletContextRequest",
                "org.eclipse.jetty.websocket.server.internal.CompletedUpgradeResponse", "io.javalin.http.servlet.JavalinWsServletContext")) {
            assertThat(after.instances(upgradeOnly) - before.instances(upgradeOnly))
                    .as("%s kept by %d idle sockets", upgradeOnly, SOCKETS).isLessThan(SOCKETS / 10);
        }
        // About 6 KiB when this was written, 21 KiB while the upgrade request stayed reachable.
        long perSocket = (after.totalBytes() - before.totalBytes()) / SOCKETS;
        assertThat(perSocket).as("live bytes per idle socket").isLessThan(10 * 1024);
    }

    private void open(HttpClient shared, List<TestClient.Device> devices) {
        for (var d : devices) {
            sockets.add(shared.newWebSocketBuilder().header("Authorization", d.authHeader())
                    .buildAsync(URI.create(server.wsUrl()), new WebSocket.Listener() {}).join());
        }
        var client = new TestClient(server.baseUrl());
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
                client.request("GET", "/health", null, null).body().get("connections").asInt() == sockets.size());
    }

    private record Histogram(Map<String, Long> instancesByClass, long totalBytes) {
        long instances(String className) {
            return instancesByClass.getOrDefault(className, 0L);
        }
    }

    /// `jcmd <pid> GC.class_histogram`: a full GC first, then live instances and bytes by class.
    private Histogram histogram() throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(server.pid()), "GC.class_histogram")
                .redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(text).isZero();
        Map<String, Long> instances = new HashMap<>();
        Matcher row = ROW.matcher(text);
        while (row.find()) instances.merge(row.group(3), Long.parseLong(row.group(1)), Long::sum);
        Matcher total = TOTAL.matcher(text);
        assertThat(total.find()).as(text).isTrue();
        return new Histogram(instances, Long.parseLong(total.group(1)));
    }
}
