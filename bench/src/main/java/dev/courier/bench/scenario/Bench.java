package dev.courier.bench.scenario;

import dev.courier.bench.load.LoadClients;
import dev.courier.bench.report.Progress;
import dev.courier.bench.target.ServerUnderTest;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/// What a scenario runs with: the server under test (null for `crypto`, which needs none), the
/// command line that started it (for the report), and where progress goes.
public record Bench(ServerUnderTest server, String command, Progress progress, int perAddress) {
    /// The generator's clients, aimed at the server, with `httpConnections` pooled HTTP connections.
    public LoadClients clients(int httpConnections) {
        return new LoadClients(server.baseUrl(), httpConnections, perAddress);
    }

    public String serverDescription() {
        return server == null ? "no server (client-side only)" : server.description();
    }

    public static String now() {
        return Instant.now().toString();
    }

    /// Facts about the machine that a reader of the result needs to compare runs.
    public static Map<String, Object> environment() {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("cores", Runtime.getRuntime().availableProcessors());
        env.put("javaVersion", System.getProperty("java.version"));
        env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        env.put("generatorMaxHeapBytes", Runtime.getRuntime().maxMemory());
        env.put("generatorSharesMachineWithServer", true);
        return env;
    }
}
