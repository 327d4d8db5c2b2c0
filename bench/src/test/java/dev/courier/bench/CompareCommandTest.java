package dev.courier.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.bench.target.EjabberdInstall;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// The ejabberd comparison, end to end at toy size: a spawned Courier and a fresh ejabberd node,
/// both sides loaded, every message delivered, the ratios computed. ejabberd must be installed
/// (`.ci/run` installs it); without it this test fails and says so rather than pass untested.
class CompareCommandTest {
    @TempDir
    Path out;

    @Test
    void bothSidesDeliverEveryMessageAndTheRatiosAreComputed() throws Exception {
        assertThat(EjabberdInstall.installed())
                .as("ejabberd is not installed: run apt-get install -y ejabberd (as .ci/run does); the comparison test needs it").isTrue();
        String classpath = BenchRun.serverClasspath();
        assumeTrue(classpath != null, "the server module is not packaged (run the whole reactor)");

        // A generous p99 bound: this checks the harness, not the speed, on a machine that may be busy.
        JsonNode report = BenchRun.run(out, "compare", "--rate", "100", "--duration", "2", "--warmup", "0",
                "--sweep-rates", "50,100", "--sweep-duration", "2", "--p99-bound-ms", "10000", "--senders", "2", "--recipients", "2",
                "--drain-messages", "100", "--drain-rounds", "1", "--idle-connections", "40", "--idle-hold", "0", "--prewarm", "1",
                "--server-classpath", classpath);

        JsonNode result = report.path("result");
        assertThat(result.path("everyMessageDelivered").asBoolean()).isTrue();
        for (String side : new String[] {"courier", "ejabberd"}) {
            JsonNode s = result.path(side);
            JsonNode fixed = s.path("fixedRate");
            assertThat(fixed.path("planned").asLong()).as(side).isEqualTo(200);
            assertThat(fixed.path("delivered").asLong()).as(side).isEqualTo(200);
            assertThat(fixed.path("duplicates").asLong()).as(side).isZero();
            assertThat(fixed.path("sendToDelivered").path("p50Ms").asDouble()).as(side).isPositive()
                    .isLessThanOrEqualTo(fixed.path("sendToDelivered").path("p99Ms").asDouble());
            // The bound is generous, but on a busy machine a two-second step can still miss its offered
            // rate by one late delivery, which ends the sweep there: so one or two steps, each complete.
            assertThat(s.path("sweep").size()).as(side).isBetween(1, 2);
            for (JsonNode step : s.path("sweep")) {
                assertThat(step.path("delivered").asLong()).as(side).isEqualTo(step.path("planned").asLong());
            }
            JsonNode best = s.path("throughputAtP99");
            assertThat(best.isNull() || best.asInt() == 50 || best.asInt() == 100).as(side + " throughputAtP99 " + best).isTrue();
            assertThat(s.path("drain").get(0).path("messages").asInt()).as(side).isEqualTo(100);
            assertThat(s.path("drain").get(0).path("lastDeliveredMs").asDouble()).as(side)
                    .isGreaterThanOrEqualTo(s.path("drain").get(0).path("firstDeliveredMs").asDouble()).isPositive();
            assertThat(s.path("idle").path("held").asLong()).as(side).isEqualTo(40);
            assertThat(s.path("idle").path("rssAfter").asLong()).as(side).isPositive();
        }
        assertThat(result.path("courier").path("server").asText()).startsWith("spawned JVM");
        assertThat(result.path("ejabberd").path("server").asText()).startsWith("ejabberd 23.01");
        JsonNode ratios = result.path("courierOverEjabberd");
        for (String r : new String[] {"p50AtRate", "p99AtRate", "drainLastDelivered"}) assertThat(ratios.path(r).asDouble()).as(r).isPositive();
    }

    @Test
    void badComparisonOptionsAreOneLineErrorsWithExitCodeTwo() {
        assertThat(Main.run("compare", "--rate", "0")).isEqualTo(2);
        assertThat(Main.run("compare", "--sweep-rates", "4000,1000")).isEqualTo(2);
        assertThat(Main.run("compare", "--p99-bound-ms", "-1")).isEqualTo(2);
        assertThat(Main.run("compare", "--prewarm", "-1")).isEqualTo(2);
    }
}
