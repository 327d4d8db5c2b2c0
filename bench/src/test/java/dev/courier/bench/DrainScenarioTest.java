package dev.courier.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
            JsonNode report = BenchRun.run(out, "drain", "--messages", "300", "--rounds", "2", "--warmup-rounds", "1",
                    "--target", server.baseUrl());

            assertThat(report.path("result").path("warmup").size()).isEqualTo(1);
            assertThat(report.path("result").path("warmup").get(0).path("round").asInt()).isEqualTo(1);
            JsonNode rounds = report.path("result").path("rounds");
            assertThat(rounds.size()).isEqualTo(2);
            assertThat(rounds.get(0).path("round").asInt()).isEqualTo(2);
            double slower = Math.max(rounds.get(0).path("lastAckSentMs").asDouble(), rounds.get(1).path("lastAckSentMs").asDouble());
            double faster = Math.min(rounds.get(0).path("lastAckSentMs").asDouble(), rounds.get(1).path("lastAckSentMs").asDouble());
            // The median of two counted rounds is their mean; the warm-up round is not in it.
            assertThat(report.path("result").path("medianLastAckSentMs").asDouble()).isCloseTo((slower + faster) / 2, within(0.005));
            assertThat(report.path("result").path("bestLastAckSentMs").asDouble()).isEqualTo(faster);
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
