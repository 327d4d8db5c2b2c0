package dev.courier.server.testing;

import dev.courier.server.config.ConfigLoader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/// A real Courier server in a process of its own, started the way an operator starts one (the
/// `Main` class, settings as `COURIER_*` variables), so that a test can kill it with SIGKILL.
/// Its log goes to `<logDir>/<name>.log`.
public final class ServerProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("Courier listening on [^ ]+:(\\d+)");
    private final String name;
    private final Process process;
    private final int port;

    private ServerProcess(String name, Process process, int port) {
        this.name = name;
        this.process = process;
        this.port = port;
    }

    /// Starts a server with `settings` (config keys) and waits until it listens.
    public static ServerProcess start(String name, Map<String, String> settings, Path logDir) {
        List<String> command = new ArrayList<>(List.of(javaExecutable(), "--enable-native-access=ALL-UNNAMED",
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k",
                "-cp", System.getProperty("java.class.path"), "dev.courier.server.Main"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("COURIER_"));
        builder.environment().put(ConfigLoader.envName("http.host"), "127.0.0.1");
        builder.environment().put(ConfigLoader.envName("http.port"), "0");
        settings.forEach((k, v) -> builder.environment().put(ConfigLoader.envName(k), v));
        try {
            Files.createDirectories(logDir);
            Process process = builder.start();
            CompletableFuture<Integer> port = new CompletableFuture<>();
            Path log = logDir.resolve(name + ".log");
            Thread.ofPlatform().daemon().name("log-" + name).start(() -> copyLog(process, log, port));
            try {
                return new ServerProcess(name, process, port.get(60, TimeUnit.SECONDS));
            } catch (Exception e) {
                process.destroyForcibly();
                throw new IllegalStateException("server " + name + " did not start; see " + log, e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copyLog(Process process, Path log, CompletableFuture<Integer> port) {
        try (var in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             var out = new PrintWriter(Files.newBufferedWriter(log), true)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.println(line);
                Matcher m = LISTENING.matcher(line);
                if (!port.isDone() && m.find()) port.complete(Integer.parseInt(m.group(1)));
            }
        } catch (IOException e) {
            // The process is gone; whatever it wrote is in the log.
        } finally {
            port.completeExceptionally(new IllegalStateException("the server exited before it listened"));
        }
    }

    private static String javaExecutable() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public String wsUrl() {
        return "ws://127.0.0.1:" + port + "/v1/websocket";
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /// SIGKILL: no shutdown hook runs, nothing is flushed; what was committed must survive.
    public void kill() {
        process.destroyForcibly();
        waitFor();
    }

    /// SIGTERM: the graceful shutdown an operator's service manager sends.
    public void stop() {
        process.destroy();
        waitFor();
    }

    private void waitFor() {
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) kill();
    }
}
