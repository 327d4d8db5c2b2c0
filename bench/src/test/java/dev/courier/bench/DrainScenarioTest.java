package dev.courier.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.server.testing.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DrainScenarioTest {
    @TempDir
    Path out;

    @Test
    void drainTimesAreOrderedFromConnectToServerEmpty() throws Exception {
        try (TestServer server = new TestServer()) {
            JsonNode report = BenchRun.run(out, "drain", "--messages", "300", "--rounds", "2", "--target", server.baseUrl());

            JsonNode rounds = report.path("result").path("rounds");
            assertThat(rounds.size()).isEqualTo(2);
            for (JsonNode r : rounds) {
                assertThat(r.path("messages").asInt()).isEqualTo(300);
                assertThat(r.path("upgradeMs").asDouble()).isPositive();
                assertThat(r.path("firstDeliveredMs").asDouble()).isGreaterThanOrEqualTo(r.path("upgradeMs").asDouble());
                assertThat(r.path("lastAckSentMs").asDouble()).isGreaterThanOrEqualTo(r.path("lastDeliveredMs").asDouble());
                assertThat(r.path("serverEmptyMs").asDouble()).isGreaterThanOrEqualTo(r.path("lastAckSentMs").asDouble());
            }
            assertThat(report.path("result").path("medianLastAckSentMs").asDouble()).isPositive();
        }
    }
}
