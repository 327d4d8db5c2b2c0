package dev.courier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/// `courier demo` plays the story for real, twice, and shows every step of both runs.
class DemoTest {
    private static final List<String> STEPS = List.of("message request", "encryption", "POST", "server store (200)",
            "online/offline check", "push", "decryption", "acknowledgement");

    private Path tmp;
    private CliRunner courier;

    @BeforeEach
    void start() throws Exception {
        tmp = Files.createTempDirectory("cli-demo");
        courier = new CliRunner(tmp);
    }

    @AfterEach
    void stop() {
        TestServer.deleteRecursively(tmp);
    }

    @Test
    void embeddedDemoShowsEveryStepOfBothRuns() {
        var demo = courier.run("demo").succeeded();
        String out = demo.out();
        assertThat(demo.err()).isEmpty();
        assertThat(out).contains("Run 1: bob online", "Run 2: bob offline");
        String run1 = out.substring(out.indexOf("Run 1:"), out.indexOf("Run 2:"));
        String run2 = out.substring(out.indexOf("Run 2:"));
        for (String step : STEPS) {
            assertThat(run1).contains("  " + step + " ");
            assertThat(run2).contains("  " + step + " ");
        }
        assertThat(run1).contains("bob has a live WebSocket → push now (courier_delivery_online_total +1)")
                .contains("decrypts it: \"Hello!\"").doesNotContain("comes online");
        assertThat(run2).contains("bob has no connection → keep it queued for him (courier_delivery_offline_total +1)")
                .contains("bob comes online");
        assertThat(out).containsPattern("\\+\\d+\\.\\d\\d ms  acknowledgement").contains("total, from alice's message request");
    }

    @Test
    void jsonDemoAgainstAGivenServer() {
        try (var server = new TestServer()) {
            var demo = courier.run("--json", "demo", "--server", server.baseUrl()).succeeded();
            List<JsonNode> lines = demo.json();
            assertThat(demo.first("demo_server").path("embedded").asBoolean()).isFalse();
            // On a shared server the demo picks fresh names.
            assertThat(demo.first("demo_users").path("alice").asText()).matches("alice_[0-9a-f]{6}");
            for (String run : List.of("online", "offline")) {
                List<JsonNode> steps = lines.stream()
                        .filter(n -> n.path("type").asText().equals("demo_step") && n.path("run").asText().equals(run)).toList();
                assertThat(steps).extracting(n -> n.path("step").asText()).containsAll(STEPS);
                JsonNode check = steps.stream().filter(n -> n.path("key").asText().equals("online_offline_check")).findFirst().orElseThrow();
                assertThat(check.path("branch").asText()).isEqualTo(run);
                JsonNode request = steps.stream().filter(n -> n.path("key").asText().equals("message_request")).findFirst().orElseThrow();
                assertThat(request.path("atMs").asDouble()).isZero();
                JsonNode total = lines.stream()
                        .filter(n -> n.path("type").asText().equals("demo_run") && n.path("run").asText().equals(run)).findFirst().orElseThrow();
                JsonNode ack = steps.stream().filter(n -> n.path("key").asText().equals("acknowledgement")).findFirst().orElseThrow();
                assertThat(total.path("totalMs").asDouble()).isPositive().isEqualTo(ack.path("atMs").asDouble());
            }
        }
    }
}
