package dev.courier.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/// Runs `courier-bench` in this JVM as a user would and reads back the result JSON it wrote.
final class BenchRun {
    private BenchRun() {}

    static JsonNode run(Path out, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--out", out.toString()));
        assertThat(Main.run(all.toArray(String[]::new))).as("exit code of courier-bench " + String.join(" ", args)).isZero();
        try (Stream<Path> files = Files.list(out)) {
            List<Path> json = files.filter(p -> p.toString().endsWith(".json")).toList();
            assertThat(json).hasSize(1);
            assertThat(Path.of(json.getFirst().toString().replace(".json", ".html"))).exists();
            return new ObjectMapper().readTree(json.getFirst().toFile());
        }
    }

    /// The server jar and libraries the reactor build has laid out, for tests that start the
    /// server as its own process; null when the server module has not been packaged.
    static String serverClasspath() {
        Path server = Path.of("..", "server", "target").toAbsolutePath().normalize();
        if (!Files.isRegularFile(server.resolve("courier-server.jar"))) return null;
        return server.resolve("courier-server.jar") + ":" + server.resolve("lib") + "/*";
    }
}
