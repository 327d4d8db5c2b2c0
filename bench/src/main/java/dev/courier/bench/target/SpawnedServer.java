package dev.courier.bench.target;

import java.io.IOException;
import java.io.Writer;
import java.lang.ProcessBuilder.Redirect;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/// A real Courier server started as its own JVM process on a fresh data directory in a temporary
/// folder, deleted on close. Settings go in as `COURIER_*` variables, the way an operator sets
/// them; the launch shell raises the open-file soft limit to the hard one first.
public final class SpawnedServer implements ServerUnderTest {
    /// `./courier-server`'s flags, so the benchmark measures the server as it is shipped.
    public static final List<String> JVM_FLAGS = List.of("--enable-native-access=ALL-UNNAMED", "-XX:+UseZGC",
            "-XX:+UseCompactObjectHeaders", "-Xss512k");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final String UNLIMITED = "1000000000/1s";

    private final Process process;
    private final Path dir;
    private final URI base;
    private final MetricsReader reader;
    private final List<String> extraJvmOptions;

    private SpawnedServer(Process process, Path dir, URI base, List<String> extraJvmOptions) {
        this.process = process;
        this.extraJvmOptions = List.copyOf(extraJvmOptions);
        this.dir = dir;
        this.base = base;
        this.reader = new MetricsReader(base);
    }

    /// Rate limits raised out of the way (one generator on one IP sends for hundreds of accounts)
    /// and a deep queue; everything else the default, `extra` on top.
    public static Map<String, String> benchmarkSettings(Map<String, String> extra) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("ratelimit.perIp", UNLIMITED);
        s.put("ratelimit.registerPerIp", UNLIMITED);
        s.put("ratelimit.sendPerAccount", UNLIMITED);
        s.put("ratelimit.keyFetchPerAccount", UNLIMITED);
        s.put("messages.maxQueueDepth", "1000000");
        s.putAll(extra);
        return s;
    }

    public static SpawnedServer start(String classpath, List<String> extraJvmOptions, Map<String, String> settings) {
        return start(classpath, extraJvmOptions, settings, Map.of());
    }

    /// As [#start(String, List, Map)], with `chosen` settings on top of `settings`. They go to the
    /// server in a `--config` file rather than as variables, so that the server checks their
    /// names too (it ignores a `COURIER_*` variable it does not know, but refuses an unknown key
    /// in a file, and the start then fails with its message).
    public static SpawnedServer start(String classpath, List<String> extraJvmOptions, Map<String, String> settings,
                                      Map<String, String> chosen) {
        if (classpath == null || classpath.isBlank()) {
            throw new TargetException("the server's class path is unknown: run through ./courier-bench, give --server-classpath, "
                    + "or aim at a running server with --target URL");
        }
        Path dir = ScratchDirectory.create("courier-bench");
        int port = freePort();
        List<String> command = new ArrayList<>(List.of("bash", "-c", "ulimit -n \"$(ulimit -Hn)\" 2>/dev/null; exec \"$0\" \"$@\"",
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(JVM_FLAGS);
        command.addAll(extraJvmOptions);
        command.addAll(List.of("-cp", classpath, "dev.courier.server.Main"));
        if (!chosen.isEmpty()) command.addAll(List.of("--config", writeConfig(dir, chosen).toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("COURIER_"));
        env.put("COURIER_LOG_LEVEL", "WARN");
        env.put(envName("http.host"), "127.0.0.1");
        env.put(envName("http.port"), Integer.toString(port));
        env.put(envName("storage.dataDir"), dir.resolve("data").toString());
        // A variable would win over the file: leave out those the chosen settings replace.
        settings.forEach((k, v) -> {
            if (!chosen.containsKey(k)) env.put(envName(k), v);
        });
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            ScratchDirectory.delete(dir);
            throw new TargetException("cannot start the server: " + e.getMessage());
        }
        var server = new SpawnedServer(process, dir, URI.create("http://127.0.0.1:" + port), extraJvmOptions);
        server.awaitHealthy();
        return server;
    }

    private static Path writeConfig(Path dir, Map<String, String> chosen) {
        Properties file = new Properties();
        file.putAll(chosen);
        Path path = dir.resolve("chosen.properties");
        try (Writer out = Files.newBufferedWriter(path)) {
            file.store(out, "settings given with --server-setting");
        } catch (IOException e) {
            ScratchDirectory.delete(dir);
            throw new TargetException("cannot write the server's settings: " + e.getMessage());
        }
        return path;
    }

    /// A port the kernel says is free now (another process could take it before the server binds
    /// it; on a benchmark machine that does not happen).
    public static int freePort() {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new TargetException("cannot find a free port: " + e.getMessage());
        }
    }

    /// `http.port` → `COURIER_HTTP_PORT`, `messages.maxQueueDepth` → `COURIER_MESSAGES_MAX_QUEUE_DEPTH`.
    static String envName(String key) {
        return "COURIER_" + key.replaceAll("([a-z])([A-Z])", "$1_$2").replace('.', '_').toUpperCase(Locale.ROOT);
    }

    private void awaitHealthy() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String log = ScratchDirectory.tail(dir.resolve("server.log"), 3);
                ScratchDirectory.delete(dir);
                throw new TargetException("the server exited at start-up (code " + process.exitValue() + "): " + log);
            }
            if (reader.healthy()) return;
            sleep(100);
        }
        close();
        throw new TargetException("the server did not answer /health within " + START_TIMEOUT.toSeconds() + " s");
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public OptionalLong processId() {
        return OptionalLong.of(process.pid());
    }

    @Override
    public URI baseUrl() {
        return base;
    }

    @Override
    public String description() {
        List<String> flags = new ArrayList<>(JVM_FLAGS);
        flags.addAll(extraJvmOptions);
        return "spawned JVM (pid " + process.pid() + ", " + String.join(" ", flags) + ")";
    }

    @Override
    public MemorySample memory(boolean collectFirst) {
        boolean collected = collectFirst && fullGc();
        return reader.memory(ProcessRss.of(process.pid()), collected);
    }

    /// `jcmd <pid> GC.run`, so a weighing counts live data, not garbage waiting to be collected.
    private boolean fullGc() {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "GC.run")
                    .redirectErrorStream(true).redirectOutput(Redirect.DISCARD).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public Optional<FdLimit> fdLimit() {
        return FdLimit.of(Long.toString(process.pid()));
    }

    @Override
    public PrometheusText metrics() {
        return reader.metrics();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ScratchDirectory.delete(dir);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
