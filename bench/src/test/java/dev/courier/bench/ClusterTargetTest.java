package dev.courier.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.sql.DriverManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// `--cluster`: the harness starts nodes on PostgreSQL and Redis behind nginx, loads nginx, and
/// sums the nodes' metrics; afterwards nothing of it is left.
class ClusterTargetTest {
    @TempDir
    Path out;

    @Test
    void aSmokeRunThroughATwoNodeClusterDeliversEverySendAndCleansUp() throws Exception {
        String classpath = BenchRun.serverClasspath();
        assumeTrue(classpath != null, "the server module is not packaged (run the whole reactor)");

        JsonNode report = BenchRun.run(out, "sustained", "--cluster", "2", "--rates", "50", "--duration", "2", "--prewarm", "0",
                "--warmup", "0", "--senders", "4", "--recipients", "4", "--server-classpath", classpath);

        assertThat(report.path("server").asText()).contains("2-node cluster behind nginx");
        JsonNode step = report.path("result").path("steps").get(0);
        assertThat(step.path("ok").asLong()).isEqualTo(100);
        assertThat(step.path("delivered").asLong()).isEqualTo(100);
        // Acknowledgements are counted on whichever node held each socket: summed over both.
        assertThat(step.path("serverAcknowledged").asLong()).isEqualTo(100);
        try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres");
             var rs = c.createStatement().executeQuery("SELECT count(*) FROM pg_database WHERE datname LIKE 'courier_bench_%'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("benchmark databases left behind").isZero();
        }
    }
}
