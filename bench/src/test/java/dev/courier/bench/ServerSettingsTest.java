package dev.courier.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.courier.bench.target.SpawnedServer;
import dev.courier.bench.target.TargetException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/// `--server-setting KEY=VALUE`: a setting of the user's on the started server, winning over the
/// benchmark's own, and checked by the server like any setting in a config file.
class ServerSettingsTest {
    private String classpath;

    @BeforeEach
    void needsThePackagedServer() {
        classpath = BenchRun.serverClasspath();
        assumeTrue(classpath != null, "the server module is not packaged (run the whole reactor)");
    }

    @Test
    void aChosenSettingReachesTheServerAndWinsOverTheBenchmarksOwn() throws Exception {
        // The benchmark raises the registration limit out of the way; the chosen one puts it back to one.
        Map<String, String> bench = SpawnedServer.benchmarkSettings(Map.of());
        assertThat(bench).containsKey("ratelimit.registerPerIp");
        try (SpawnedServer server = SpawnedServer.start(classpath, List.of(), bench, Map.of("ratelimit.registerPerIp", "1/1h"))) {
            assertThat(register(server)).isNotEqualTo(429);
            assertThat(register(server)).as("the second registration from this IP within the hour").isEqualTo(429);
        }
        try (SpawnedServer server = SpawnedServer.start(classpath, List.of(), bench)) {
            assertThat(register(server)).isNotEqualTo(429);
            assertThat(register(server)).as("the benchmark's own limit").isNotEqualTo(429);
        }
    }

    @Test
    void anUnknownSettingStopsTheStartWithTheServersMessage() {
        assertThatThrownBy(() -> SpawnedServer.start(classpath, List.of(), SpawnedServer.benchmarkSettings(Map.of()),
                Map.of("websocket.deliveryWindw", "1024")))
                .isInstanceOf(TargetException.class)
                .hasMessageContaining("unknown setting 'websocket.deliveryWindw'");
        assertThat(Main.run("drain", "--smoke", "--server-setting", "websocket.deliveryWindw=1024", "--server-classpath", classpath))
                .as("a run that could not start its server").isEqualTo(1);
    }

    /// A registration attempt (its body need not be valid: the limit is taken first); its status.
    private static int register(SpawnedServer server) throws Exception {
        var request = HttpRequest.newBuilder(server.baseUrl().resolve("/v1/accounts"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build();
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }
}
