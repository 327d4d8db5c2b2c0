package dev.courier.bench.target;

/// The SQLite writer's commit counters at an instant, from the server's `/metrics`: commits,
/// the write units they held, the time spent in them (statements and fsync), and the commits that
/// did not sync (they held only the deletions of socket acks). Every other commit is one fsync of
/// the WAL. Null where the server has no SQLite writer (PostgreSQL) or `/metrics` cannot be read.
public record WriterCommits(double commits, double units, double seconds, double unsynced) {
    public static WriterCommits read(PrometheusText metrics) {
        double commits = metrics.sum("courier_sqlite_commit_batch_count", null);
        if (Double.isNaN(commits)) return null;
        double unsynced = metrics.sum("courier_sqlite_commit_unsynced_total", null);
        return new WriterCommits(commits, metrics.sum("courier_sqlite_commit_batch_sum", null),
                metrics.sum("courier_sqlite_commit_time_seconds_sum", null), Double.isNaN(unsynced) ? 0 : unsynced);
    }
}
