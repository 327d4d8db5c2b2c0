package dev.courier.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CryptoScenarioTest {
    @TempDir
    Path out;

    @Test
    void everyMessageIsEncryptedAndDecryptedThroughTheSdkStore() throws Exception {
        JsonNode report = BenchRun.run(out, "crypto", "--messages", "30");

        JsonNode r = report.path("result");
        assertThat(r.path("messages").asInt()).isEqualTo(30);
        assertThat(r.path("encrypt").path("count").asLong()).isEqualTo(30);
        assertThat(r.path("decrypt").path("count").asLong()).isEqualTo(30);
        assertThat(r.path("encrypt").path("p50Ms").asDouble()).isPositive();
        assertThat(r.path("sessionSetupMs").asDouble()).isPositive();
        // A padded text in a Double Ratchet message: more than the padding block, far less than a KiB.
        assertThat(r.path("ciphertextBytes").asInt()).isBetween(160, 1024);
    }
}
