package dev.courier.server.testing;

import dev.courier.server.CourierServer;
import dev.courier.server.config.ConfigLoader;
import dev.courier.server.config.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/// A real Courier server on an ephemeral port with its own SQLite file in a temporary directory.
///
/// Settings are given as config keys (`messages.ttl` → `"1h"`); generous rate limits are the
/// default so that only tests about rate limiting meet them.
public final class TestServer implements AutoCloseable {
    private final Path dataDir;
    private final MutableClock clock = new MutableClock();
    private final ServerConfig config;
    private CourierServer server;

    public TestServer() {
        this(Map.of());
    }

    public TestServer(Map<String, String> settings) {
        try {
            this.dataDir = Files.createTempDirectory("courier-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.config = configFor(dataDir, 0, settings);
        this.server = CourierServer.start(config, clock);
    }

    /// Config for a server with data in `dataDir`, as the environment-variable path would build it.
    public static ServerConfig configFor(Path dataDir, int port, Map<String, String> settings) {
        Map<String, String> env = new HashMap<>();
        env.put(ConfigLoader.envName("http.host"), "127.0.0.1");
        env.put(ConfigLoader.envName("http.port"), Integer.toString(port));
        env.put(ConfigLoader.envName("storage.dataDir"), dataDir.toString());
        env.put(ConfigLoader.envName("ratelimit.perIp"), "1000000/1s");
        env.put(ConfigLoader.envName("ratelimit.registerPerIp"), "1000000/1s");
        env.put(ConfigLoader.envName("ratelimit.sendPerAccount"), "1000000/1s");
        env.put(ConfigLoader.envName("ratelimit.keyFetchPerAccount"), "1000000/1s");
        settings.forEach((k, v) -> env.put(ConfigLoader.envName(k), v));
        return ConfigLoader.load(Optional.empty(), env);
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    public String wsUrl() {
        return "ws://127.0.0.1:" + server.port() + "/v1/websocket";
    }

    public int port() {
        return server.port();
    }

    public MutableClock clock() {
        return clock;
    }

    public CourierServer server() {
        return server;
    }

    public Path dataDir() {
        return dataDir;
    }

    public ServerConfig config() {
        return config;
    }

    /// Stops and starts the server on the same data directory (a new port).
    public void restart() {
        server.close();
        server = CourierServer.start(config, clock);
    }

    @Override
    public void close() {
        server.close();
        deleteRecursively(dataDir);
    }

    public static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
