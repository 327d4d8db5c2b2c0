package dev.courier.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.server.testing.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdleScenarioTest {
    @TempDir
    Path out;

    @Test
    void spawnedServerIsWeighedAfterAFullGcWithRssFromItsProcess() throws Exception {
        String classpath = BenchRun.serverClasspath();
        assumeTrue(classpath != null, "the server module is not packaged (run the whole reactor)");

        JsonNode report = BenchRun.run(out, "idle", "--connections", "40", "--hold", "0", "--server-classpath", classpath);

        JsonNode r = report.path("result");
        assertThat(r.path("held").asLong()).isEqualTo(40);
        assertThat(r.path("failed").asLong()).isZero();
        assertThat(r.path("serverConnectionsGauge").asLong()).isEqualTo(40);
        assertThat(r.path("before").path("collected").asBoolean()).isTrue();
        assertThat(r.path("after").path("rssBytes").asLong()).isPositive();
        assertThat(r.path("rssBytesPerConnection").isNumber()).isTrue();
        assertThat(r.path("serverFdLimit").path("soft").asLong()).isPositive();
        assertThat(report.path("server").asText()).startsWith("spawned JVM");
    }

    @Test
    void aRemoteTargetIsWeighedFromMetricsAloneAndSourceAddressesRotate() throws Exception {
        try (TestServer server = new TestServer()) {
            JsonNode report = BenchRun.run(out, "idle", "--smoke", "--per-address", "20", "--target", server.baseUrl());

            JsonNode r = report.path("result");
            assertThat(r.path("held").asLong()).isEqualTo(50);
            // 50 connections at 20 per address: 127.0.0.1, .2 and .3.
            assertThat(r.path("sourceAddresses").asInt()).isEqualTo(3);
            assertThat(r.path("stoppedBecause").asText()).isEqualTo("target reached");
            assertThat(r.path("after").path("heapUsedBytes").asLong()).isPositive();
            assertThat(r.path("after").path("rssBytes").isNull()).isTrue();
            assertThat(report.path("notes").toString()).contains("not after a full GC");
        }
    }

    @Test
    void aTargetThatIsNotAServerIsAOneLineFailure() {
        assertThat(Main.run("idle", "--smoke", "--target", "http://127.0.0.1:1", "--out", out.toString())).isEqualTo(1);
    }
}
