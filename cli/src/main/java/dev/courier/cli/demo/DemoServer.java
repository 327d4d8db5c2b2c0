package dev.courier.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.courier.cli.failure.CliFailure;
import dev.courier.cli.failure.NetworkReasons;
import dev.courier.server.CourierServer;
import dev.courier.server.config.ConfigLoader;
import dev.courier.server.config.ServerConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/// The server the demo plays against: one started in this process on an ephemeral port with a
/// throw-away data directory, or one the user names with `--server`. Also reads the server's
/// public `/metrics` and `/health`, which is how the demo sees the server's side of the story.
final class DemoServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI url;
    private final CourierServer embedded;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    private DemoServer(URI url, CourierServer embedded) {
        this.url = url;
        this.embedded = embedded;
    }

    /// A real Courier server on 127.0.0.1 with its SQLite file under `dataDir`.
    static DemoServer embedded(Path dataDir) {
        Map<String, String> env = new HashMap<>();
        env.put(ConfigLoader.envName("http.host"), "127.0.0.1");
        env.put(ConfigLoader.envName("http.port"), "0");
        env.put(ConfigLoader.envName("storage.dataDir"), dataDir.toString());
        env.put(ConfigLoader.envName("shutdown.grace"), "2s");
        ServerConfig config = ConfigLoader.load(Optional.empty(), env);
        CourierServer server = CourierServer.start(config, Clock.systemUTC());
        return new DemoServer(URI.create("http://127.0.0.1:" + server.port()), server);
    }

    static DemoServer remote(URI url) {
        return new DemoServer(url, null);
    }

    URI url() {
        return url;
    }

    boolean isEmbedded() {
        return embedded != null;
    }

    DeliveryCounters counters() {
        return DeliveryCounters.parse(get("/metrics"));
    }

    /// Devices with a live WebSocket on the server, from `/health`.
    int connections() {
        try {
            JsonNode health = JSON.readTree(get("/health"));
            return health.path("connections").asInt();
        } catch (IOException e) {
            throw CliFailure.failed("the server's /health answer could not be read: " + e.getMessage());
        }
    }

    private String get(String path) {
        try {
            HttpRequest request = HttpRequest.newBuilder(url.resolve(path)).timeout(Duration.ofSeconds(5)).GET().build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw CliFailure.failed("the server's " + path + " answered HTTP " + response.statusCode());
            }
            return response.body();
        } catch (IOException e) {
            throw CliFailure.unreachable("cannot reach the server at " + url + ": " + NetworkReasons.describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliFailure.failed("interrupted");
        }
    }

    @Override
    public void close() {
        http.close();
        if (embedded != null) embedded.close();
    }
}
