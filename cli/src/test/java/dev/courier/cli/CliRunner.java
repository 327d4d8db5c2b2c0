package dev.courier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.courier.cli.chat.Terminals;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/// Runs the `courier` command line in-process, exactly as `Main` builds it, with captured stdout
/// and stderr. The home directory is a temporary one, so no test can touch a real `~/.courier`.
final class CliRunner {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path home;
    private final Terminals terminals;

    CliRunner(Path home) {
        this(home, () -> {
            throw new IOException("no terminal in this test");
        });
    }

    CliRunner(Path home, Terminals terminals) {
        this.home = home;
        this.terminals = terminals;
    }

    Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.commandLine(new CliEnvironment(Map.of(), home, terminals), new PrintWriter(out, true), new PrintWriter(err, true))
                .execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    /// What one run printed and returned.
    record Result(int code, String out, String err) {
        /// Every stdout line, each parsed as one JSON object (fails the test if one is not).
        List<JsonNode> json() {
            List<JsonNode> lines = new ArrayList<>();
            for (String line : out.split("\n")) {
                if (line.isBlank()) continue;
                try {
                    JsonNode node = JSON.readTree(line);
                    assertThat(node.isObject()).as("stdout line is a JSON object: %s", line).isTrue();
                    lines.add(node);
                } catch (IOException e) {
                    throw new UncheckedIOException("stdout line is not JSON: " + line, e);
                }
            }
            return lines;
        }

        /// The `--json` error line on stderr.
        JsonNode jsonError() {
            try {
                return JSON.readTree(err.strip());
            } catch (IOException e) {
                throw new UncheckedIOException("stderr is not one JSON object: " + err, e);
            }
        }

        Result succeeded() {
            assertThat(code).as("exit code; stderr: %s", err).isZero();
            return this;
        }

        /// A failure as the CLI promises them: this exit code, one line on stderr, no stack trace.
        Result failedWith(int exitCode) {
            assertThat(code).as("exit code; stdout: %s; stderr: %s", out, err).isEqualTo(exitCode);
            assertThat(err.strip()).as("one line on stderr").isNotEmpty().doesNotContain("\n");
            assertThat(err).doesNotContain("Exception").doesNotContain("\tat ");
            return this;
        }

        JsonNode first(String type) {
            return json().stream().filter(n -> n.path("type").asText().equals(type)).findFirst()
                    .orElseThrow(() -> new AssertionError("no '" + type + "' line in: " + out));
        }
    }
}
