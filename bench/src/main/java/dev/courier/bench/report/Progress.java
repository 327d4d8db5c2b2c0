package dev.courier.bench.report;

import java.io.PrintStream;

/// Progress lines on stderr, at most one a second (or every call when `always`), so a long run
/// shows it is alive without burying the result table on stdout.
public final class Progress {
    private final PrintStream out;
    private final long start = System.nanoTime();
    private long last;

    public Progress(PrintStream out) {
        this.out = out;
    }

    public static Progress toStderr() {
        return new Progress(System.err);
    }

    /// Prints `line` if a second has passed since the last line.
    public synchronized void maybe(String line) {
        long now = System.nanoTime();
        if (now - last < 1_000_000_000L) return;
        last = now;
        say(line);
    }

    /// Prints `line` now, with the seconds since the run began.
    public synchronized void say(String line) {
        out.printf("[%6.1fs] %s%n", (System.nanoTime() - start) / 1e9, line);
        out.flush();
    }
}
