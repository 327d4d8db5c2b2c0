package dev.courier.bench.target;

/// Where the CPU of a stretch of load went, per accepted send, in µs: the server's process (user
/// and kernel), its SQLite writer thread, this generator, and the whole machine (which also
/// counts the kernel's work for both, such as loopback TCP in soft interrupts); plus how long the
/// writer waited, runnable, for a CPU (ms per second), how idle the machine was, and how much of
/// its CPU time the hypervisor gave to someone else (steal: on a shared virtual machine, what
/// makes one run slower than another of the same code). A part that could not be read is null (a
/// server not on this machine, a PostgreSQL server with no writer thread). With them, what the
/// SQLite writer committed: commits a second, write units per commit, the mean time of a commit
/// (statements and fsync), and fsyncs per accepted send.
public record CpuSplit(double seconds, long sends, Double serverUserUs, Double serverKernelUs, Double writerUs,
                       Double writerWaitMsPerSecond, Double generatorUs, Double machineUserUs, Double machineKernelUs,
                       Double machineIdlePercent, Double machineStealPercent, Double commitsPerSecond, Double unitsPerCommit,
                       Double meanCommitMs, Double fsyncsPerSend) {
    private static final double US_PER_TICK = 1e6 / CpuSample.TICKS_PER_SECOND;

    /// From `a` to `b`, during which `sends` sends were accepted; null when there was none.
    public static CpuSplit between(CpuSample a, CpuSample b, long sends) {
        if (a == null || b == null || sends <= 0) return null;
        double seconds = (b.atNanos() - a.atNanos()) / 1e9;
        Double serverUser = null;
        Double serverKernel = null;
        if (a.server() != null && b.server() != null) {
            serverUser = perSend(b.server().user() - a.server().user(), sends);
            serverKernel = perSend(b.server().system() - a.server().system(), sends);
        }
        Double writer = null;
        Double writerWait = null;
        if (a.writerRunNanos() != null && b.writerRunNanos() != null) {
            writer = round((b.writerRunNanos() - a.writerRunNanos()) / 1e3 / sends);
            writerWait = round((b.writerWaitNanos() - a.writerWaitNanos()) / 1e6 / seconds);
        }
        Double generator = null;
        if (a.generator() != null && b.generator() != null) {
            generator = perSend(b.generator().user() + b.generator().system() - a.generator().user() - a.generator().system(), sends);
        }
        Double machineUser = null;
        Double machineKernel = null;
        Double idle = null;
        Double steal = null;
        if (a.machine() != null && b.machine() != null) {
            var m = b.machine();
            var p = a.machine();
            long user = m.user() - p.user();
            long kernel = m.system() - p.system() + m.softirq() - p.softirq();
            long idleTicks = m.idle() - p.idle();
            long stealTicks = m.steal() - p.steal();
            long all = user + kernel + idleTicks + stealTicks;
            machineUser = perSend(user, sends);
            machineKernel = perSend(kernel, sends);
            idle = all > 0 ? round(100.0 * idleTicks / all) : null;
            steal = all > 0 ? round(100.0 * stealTicks / all) : null;
        }
        Double commitsPerSecond = null;
        Double unitsPerCommit = null;
        Double meanCommitMs = null;
        Double fsyncsPerSend = null;
        if (a.commits() != null && b.commits() != null && seconds > 0) {
            double commits = b.commits().commits() - a.commits().commits();
            commitsPerSecond = round(commits / seconds);
            fsyncsPerSend = round3((commits - (b.commits().unsynced() - a.commits().unsynced())) / sends);
            if (commits > 0) {
                unitsPerCommit = round((b.commits().units() - a.commits().units()) / commits);
                meanCommitMs = round3((b.commits().seconds() - a.commits().seconds()) * 1e3 / commits);
            }
        }
        return new CpuSplit(round(seconds), sends, serverUser, serverKernel, writer, writerWait, generator, machineUser,
                machineKernel, idle, steal, commitsPerSecond, unitsPerCommit, meanCommitMs, fsyncsPerSend);
    }

    private static double perSend(long ticks, long sends) {
        return round(ticks * US_PER_TICK / sends);
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    /// For figures near or under one (fsyncs per send, ms per commit).
    private static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
