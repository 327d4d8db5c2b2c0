package dev.courier.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.courier.bench.target.SpawnedServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// A server under load must not fault its heap in page by page while it is measured: the bench
/// starts it with a fixed, pre-touched heap, and `./courier-server` does so when `COURIER_HEAP`
/// is set. Each case reads the flags the running JVM really has, with `jcmd VM.flags`.
class ServerHeapTest {
    private static final Path LAUNCHER = Path.of("..", "courier-server").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void aHeapSizeBecomesAFixedPreTouchedHeapAndNoneLeavesTheJvmToSizeIt() {
        assertThat(ServerOptions.heapOptions("2g")).containsExactly("-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch");
        assertThat(ServerOptions.heapOptions("none")).isEmpty();
        assertThat(ServerOptions.heapBytes("512m")).isEqualTo(512L << 20);
        assertThat(ServerOptions.heapBytes("2G")).isEqualTo(2L << 30);
        assertThat(ServerOptions.heapBytes("none")).isZero();
    }

    @Test
    void badHeapSizesAreOneLineErrorsWithExitCodeTwo() {
        assertThat(Main.run("sustained", "--server-heap", "3x")).isEqualTo(2);
        assertThat(Main.run("sustained", "--server-heap", "64m")).as("below the floor of 128m").isEqualTo(2);
        assertThat(Main.run("drain", "--server-heap", "9999999g")).as("more than half the machine's memory").isEqualTo(2);
        assertThat(Main.run("sustained", "--server-heap", "20g", "--cluster", "16")).isEqualTo(2);
    }

    @Test
    void aSpawnedServerRunsWithTheHeapItWasGiven() throws Exception {
        String classpath = BenchRun.serverClasspath();
        assumeTrue(classpath != null, "the server module is not packaged (run the whole reactor)");

        try (SpawnedServer server = SpawnedServer.start(classpath, ServerOptions.heapOptions("256m"), SpawnedServer.benchmarkSettings(Map.of()))) {
            String flags = vmFlags(server.pid());
            assertThat(flags).contains("-XX:InitialHeapSize=268435456", "-XX:MaxHeapSize=268435456", "-XX:+AlwaysPreTouch");
            assertThat(server.description()).contains("-Xmx256m");
        }
    }

    @Test
    void theLauncherGivesCourierHeapToTheJvmAsAFixedPreTouchedHeap() throws Exception {
        assumeTrue(BenchRun.serverClasspath() != null, "the server module is not packaged (run the whole reactor)");

        assertThat(launchAndReadFlags(Map.of("COURIER_HEAP", "192m")))
                .contains("-XX:InitialHeapSize=201326592", "-XX:MaxHeapSize=201326592", "-XX:+AlwaysPreTouch");
        assertThat(launchAndReadFlags(Map.of())).as("without COURIER_HEAP the JVM sizes the heap itself")
                .doesNotContain("AlwaysPreTouch", "MaxHeapSize=201326592");
    }

    @Test
    void theLauncherRefusesAMalformedCourierHeapInOneLine() throws Exception {
        Process p = launcher(Map.of("COURIER_HEAP", "lots")).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(err.strip()).isEqualTo("courier-server: COURIER_HEAP must be a size such as 512m or 2g, not 'lots'");
    }

    /// Starts `./courier-server` with `env` on a free port, waits for `/health` and returns its JVM's flags.
    private String launchAndReadFlags(Map<String, String> env) throws Exception {
        int port = SpawnedServer.freePort();
        ProcessBuilder builder = launcher(env);
        builder.environment().put("COURIER_HTTP_HOST", "127.0.0.1");
        builder.environment().put("COURIER_HTTP_PORT", Integer.toString(port));
        builder.environment().put("COURIER_STORAGE_DATA_DIR", Files.createTempDirectory(dir, "data").toString());
        Process server = builder.redirectErrorStream(true).redirectOutput(dir.resolve("server-" + port + ".log").toFile()).start();
        try {
            awaitHealthy(server, port);
            // The launcher execs java, so the process is the JVM itself.
            return vmFlags(server.pid());
        } finally {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) server.destroyForcibly();
        }
    }

    private ProcessBuilder launcher(Map<String, String> env) {
        ProcessBuilder builder = new ProcessBuilder("bash", LAUNCHER.toString());
        builder.environment().keySet().removeIf(k -> k.startsWith("COURIER_"));
        builder.environment().putAll(env);
        return builder;
    }

    private void awaitHealthy(Process server, int port) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        var health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            assertThat(server.isAlive()).as("the launched server is running; its log: " + log(port)).isTrue();
            try {
                if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the launched server did not answer /health within 90 s; its log: " + log(port));
    }

    private String log(int port) throws IOException {
        return Files.readString(dir.resolve("server-" + port + ".log"));
    }

    private static String vmFlags(long pid) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(List.of(jcmd.toString(), Long.toString(pid), "VM.flags")).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("jcmd VM.flags: " + out).isZero();
        return out;
    }
}
