package dev.courier.bench.target;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Supplier;

/// CPU time used so far, as Linux counts it in `/proc`: this generator's process, the server's
/// process and its SQLite writer thread when the server runs on this machine, and the whole
/// machine. Two samples make a [CpuSplit]: where a step's CPU went, which is what bounds a rate
/// on a machine the server and the generator share.
///
/// Process and machine times are in clock ticks of `USER_HZ`, which is 100 per second for every
/// process on Linux whatever the kernel's own tick (the ABI of `/proc`); the thread's are the
/// nanoseconds of its `schedstat`: time on a CPU, and time runnable but waiting for one. With them
/// go the writer's commit counters ([WriterCommits]), which say how many fsyncs that CPU paid for.
public record CpuSample(long atNanos, Ticks generator, Ticks server, Long writerRunNanos, Long writerWaitNanos, Machine machine,
                        WriterCommits commits) {
    /// `USER_HZ`: ticks per second in `/proc/<pid>/stat` and `/proc/stat`.
    static final int TICKS_PER_SECOND = 100;
    /// The server's single SQLite writer (`GroupCommitWriter`): the serial part of a send.
    static final String WRITER_THREAD = "sqlite-writer";

    public record Ticks(long user, long system) {}

    /// Whole-machine ticks: `user` with `nice`, `system` with hardware interrupts, `softirq`
    /// (on loopback, most of the network stack), `idle` with `iowait`.
    public record Machine(long user, long system, long softirq, long idle, long steal) {}

    /// Now; parts that cannot be read (no `/proc`, the server elsewhere or gone) are null.
    /// `commits` reads the writer's counters from the server (null when it has none).
    public static CpuSample take(OptionalLong serverPid, Supplier<WriterCommits> commits) {
        long now = System.nanoTime();
        Ticks server = null;
        long[] writer = null;
        if (serverPid.isPresent()) {
            server = process(Path.of("/proc", Long.toString(serverPid.getAsLong()), "stat"));
            writer = writer(Path.of("/proc", Long.toString(serverPid.getAsLong()), "task"));
        }
        return new CpuSample(now, process(Path.of("/proc/self/stat")), server, writer == null ? null : writer[0],
                writer == null ? null : writer[1], readMachine(), commits.get());
    }

    /// `utime` and `stime`, fields 14 and 15 of `/proc/<pid>/stat`, counted after the command
    /// name, which is in parentheses and may hold spaces.
    private static Ticks process(Path stat) {
        try {
            String line = Files.readString(stat);
            String[] f = line.substring(line.lastIndexOf(')') + 2).split(" ");
            return new Ticks(Long.parseLong(f[11]), Long.parseLong(f[12]));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long[] writer(Path tasks) {
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
            for (Path t : threads) {
                try {
                    if (!Files.readString(t.resolve("comm")).strip().equals(WRITER_THREAD)) continue;
                    String[] f = Files.readString(t.resolve("schedstat")).strip().split(" ");
                    return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])};
                } catch (IOException | RuntimeException gone) {
                    // A thread that ended while we looked.
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static Machine readMachine() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
            String[] f = lines.getFirst().trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal ...
            long[] v = new long[9];
            for (int i = 1; i < 9 && i < f.length; i++) v[i] = Long.parseLong(f[i]);
            return new Machine(v[1] + v[2], v[3] + v[6], v[7], v[4] + v[5], v[8]);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
