package dev.courier.bench.target;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/// A process's `RLIMIT_NOFILE`, read from `/proc/<pid>/limits`: every socket costs one file
/// descriptor on each side, so this bounds how many connections a run can hold.
public record FdLimit(long soft, long hard) {
    private static final String ROW = "Max open files";

    public static Optional<FdLimit> of(String pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", pid, "limits"))) {
                if (line.startsWith(ROW)) {
                    String[] fields = line.substring(ROW.length()).trim().split("\\s+");
                    return Optional.of(new FdLimit(parse(fields[0]), parse(fields[1])));
                }
            }
        } catch (RuntimeException | IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static long parse(String s) {
        return "unlimited".equals(s) ? Long.MAX_VALUE : Long.parseLong(s);
    }

    /// How many descriptors the process has open now, or -1 when it cannot be read.
    public static long openCount(String pid) {
        try (Stream<Path> files = Files.list(Path.of("/proc", pid, "fd"))) {
            return files.count();
        } catch (RuntimeException | IOException e) {
            return -1;
        }
    }

    @Override
    public String toString() {
        return soft + " soft / " + (hard == Long.MAX_VALUE ? "unlimited" : Long.toString(hard)) + " hard";
    }
}
