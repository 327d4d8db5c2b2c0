package dev.courier.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.server.testing.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SustainedScenarioTest {
    @TempDir
    Path out;

    @Test
    void smokeRunDeliversAndAcknowledgesEverySendAndReportsPercentiles() throws Exception {
        try (TestServer server = new TestServer()) {
            JsonNode report = BenchRun.run(out, "sustained", "--smoke", "--target", server.baseUrl());

            assertThat(report.path("scenario").asText()).isEqualTo("sustained");
            JsonNode step = report.path("result").path("steps").get(0);
            assertThat(step.path("offeredRate").asInt()).isEqualTo(200);
            assertThat(step.path("ok").asLong()).isEqualTo(step.path("planned").asLong()).isEqualTo(400);
            assertThat(step.path("delivered").asLong()).isEqualTo(400);
            assertThat(step.path("missing").asLong()).isZero();
            assertThat(step.path("serverAcknowledged").asLong()).isEqualTo(400);
            for (String latency : new String[] {"sendToOk", "sendToDelivered"}) {
                JsonNode l = step.path(latency);
                assertThat(l.path("count").asLong()).isEqualTo(400);
                assertThat(l.path("p50Ms").asDouble()).isPositive().isLessThanOrEqualTo(l.path("p99Ms").asDouble());
                assertThat(l.path("p99Ms").asDouble()).isLessThanOrEqualTo(l.path("maxMs").asDouble());
            }
            assertThat(step.path("sendToDeliveredPerSecond").size()).isGreaterThanOrEqualTo(2);
            JsonNode cpu = step.path("cpu");
            assertThat(cpu.path("generatorUs").asDouble()).as("the generator's own CPU is always readable").isPositive();
            assertThat(cpu.path("serverUserUs").isNull()).as("a --target server's process is not the harness's to read").isTrue();
        }
    }

    @Test
    void aSpawnedServersStepSaysWhereItsCpuWent() throws Exception {
        String classpath = BenchRun.serverClasspath();
        assumeTrue(classpath != null, "the server module is not packaged (run the whole reactor)");

        JsonNode report = BenchRun.run(out, "sustained", "--rates", "300", "--duration", "3", "--warmup", "1", "--prewarm", "0",
                "--senders", "4", "--recipients", "4", "--server-classpath", classpath);

        JsonNode step = report.path("result").path("steps").get(0);
        JsonNode cpu = step.path("cpu");
        assertThat(cpu.path("sends").asLong()).as("the sends accepted after the warm-up").isBetween(300L, 900L);
        for (String part : new String[] {"serverUserUs", "writerUs", "generatorUs", "machineUserUs", "machineKernelUs"}) {
            assertThat(cpu.path(part).asDouble()).as(part).isPositive();
        }
        assertThat(cpu.path("writerUs").asDouble()).as("the writer is one of the server's threads")
                .isLessThan(cpu.path("serverUserUs").asDouble() + cpu.path("serverKernelUs").asDouble());
        assertThat(cpu.path("machineIdlePercent").asDouble()).isBetween(0.0, 100.0);
        assertThat(cpu.path("machineStealPercent").isNumber()).as("steal is read with the machine's ticks").isTrue();
        assertThat(cpu.path("machineStealPercent").asDouble()).isBetween(0.0, 100.0);
        assertThat(cpu.path("commitsPerSecond").asDouble()).as("the SQLite writer's commits, from /metrics").isPositive();
        assertThat(cpu.path("unitsPerCommit").asDouble()).isGreaterThanOrEqualTo(1.0);
        assertThat(cpu.path("meanCommitMs").asDouble()).isPositive();
        // Sends are synced, so there are fsyncs; never more than one per send and one per ack.
        assertThat(cpu.path("fsyncsPerSend").asDouble()).isGreaterThan(0.0).isLessThanOrEqualTo(2.0);
    }

    @Test
    void aRateSweepReportsOneStepPerRate() throws Exception {
        try (TestServer server = new TestServer()) {
            JsonNode report = BenchRun.run(out, "sustained", "--rates", "50,100", "--duration", "1", "--warmup", "0", "--prewarm", "0",
                    "--senders", "2", "--recipients", "2", "--target", server.baseUrl());

            JsonNode steps = report.path("result").path("steps");
            assertThat(steps.size()).isEqualTo(2);
            assertThat(steps.get(1).path("offeredRate").asInt()).isEqualTo(100);
            assertThat(steps.get(1).path("delivered").asLong()).isEqualTo(100);
        }
    }

    @Test
    void httpTransportSendsAreDeliveredAndAcknowledged() throws Exception {
        try (TestServer server = new TestServer()) {
            JsonNode report = BenchRun.run(out, "sustained", "--transport", "http", "--rates", "100", "--duration", "1", "--warmup", "0",
                    "--prewarm", "0", "--senders", "2", "--recipients", "2", "--target", server.baseUrl());

            JsonNode step = report.path("result").path("steps").get(0);
            assertThat(step.path("ok").asLong()).isEqualTo(100);
            assertThat(step.path("delivered").asLong()).isEqualTo(100);
            assertThat(step.path("serverAcknowledged").asLong()).isEqualTo(100);
            assertThat(report.path("params").path("transport").asText()).isEqualTo("HTTP");
        }
    }

    @Test
    void prewarmRunsBeforeTheStepsAndIsReportedApartFromThem() throws Exception {
        try (TestServer server = new TestServer()) {
            JsonNode report = BenchRun.run(out, "sustained", "--rates", "50", "--duration", "1", "--warmup", "0", "--prewarm", "1",
                    "--prewarm-rate", "80", "--senders", "2", "--recipients", "2", "--target", server.baseUrl());

            JsonNode prewarm = report.path("result").path("prewarm");
            assertThat(prewarm.path("offeredRate").asInt()).isEqualTo(80);
            assertThat(prewarm.path("delivered").asLong()).isEqualTo(80);
            JsonNode steps = report.path("result").path("steps");
            assertThat(steps.size()).isEqualTo(1);
            assertThat(steps.get(0).path("offeredRate").asInt()).isEqualTo(50);
            assertThat(steps.get(0).path("serverAcknowledged").asLong()).as("the step's own deliveries").isEqualTo(50);
            assertThat(report.path("notes").toString()).contains("warmed the server up");
        }
    }

    @Test
    void badRatesAreOneLineErrorsWithExitCodeTwo() {
        assertThat(Main.run("sustained", "--rates", "0", "--target", "http://127.0.0.1:1")).isEqualTo(2);
        assertThat(Main.run("sustained", "--rates", "fast")).isEqualTo(2);
        assertThat(Main.run("sustained", "--transport", "carrier-pigeon")).isEqualTo(2);
        assertThat(Main.run("sustained", "--prewarm", "-1", "--target", "http://127.0.0.1:1")).isEqualTo(2);
        assertThat(Main.run("nonsense")).isEqualTo(2);
    }
}
