package dev.courier.bench.target;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/// A process's resident set (`VmRSS` in `/proc/<pid>/status`): what the operating system actually
/// gives the process, whatever its runtime thinks it uses.
public final class ProcessRss {
    private ProcessRss() {}

    /// Bytes resident, or null when the process cannot be read (gone, or not on this machine).
    public static Long of(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) return 1024L * Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
            return null;
        } catch (RuntimeException | IOException e) {
            return null;
        }
    }
}
