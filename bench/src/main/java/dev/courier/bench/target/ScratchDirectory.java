package dev.courier.bench.target;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/// A temporary folder for one started server (data, configuration, log), deleted with everything
/// in it when the run ends, so runs leave nothing behind.
final class ScratchDirectory {
    private ScratchDirectory() {}

    static Path create(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new TargetException("cannot prepare the server's directory: " + e.getMessage());
        }
    }

    static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a leftover temporary folder is not worth failing the run for
        }
    }

    /// The last `lines` lines of a log, joined on one line for an error message.
    static String tail(Path log, int lines) {
        try {
            var all = Files.readAllLines(log);
            return String.join(" | ", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
