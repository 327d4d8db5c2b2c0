package dev.courier.server.storage.sqlite;

import dev.courier.server.storage.StorageException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/// The only writer of the SQLite database: one platform thread that runs every write.
///
/// Group commit: the thread takes whatever work is waiting (up to [#MAX_BATCH] units, and what
/// arrives while they run), runs each unit in its own savepoint inside one transaction, and
/// commits once. With `synchronous=FULL` that is one fsync for the whole batch, so concurrent
/// senders share the disk's latency instead of queueing behind each other's fsyncs. A unit that
/// throws rolls back to its savepoint alone; the others still commit.
///
/// Work given to [#writeCheckedFirst] or [#writeAsyncCheckedFirst] runs without a savepoint: it
/// makes every check that can refuse it before its first write, so a refusal leaves nothing to
/// roll back, and this thread, which every write waits for, runs no `SAVEPOINT` and `RELEASE` for
/// it (end to end at 20,000 sends/s the saving is within the runs' spread: docs/BENCHMARKS.md,
/// "Savepoints"). The writer checks the promise: such a unit that fails having changed rows, or
/// with anything but an unchecked exception (an SQL error may have left the transaction in any
/// state), fails its whole batch.
///
/// Work given to [#writeWithoutSync] does not need its own fsync: a batch of only such work commits
/// with `synchronous=NORMAL`, so its commit writes the WAL but does not sync it. It becomes durable
/// with the next synced commit (an fsync of the WAL covers every frame before it) or checkpoint. A
/// process crash loses none of it. A power loss or an OS crash can undo the unsynced commits made
/// since the last synced one, and nothing else: WAL recovery keeps a prefix of the commits, and
/// every synced one is on disk with all before it. A batch with any synced work in it commits at
/// the level the connection was opened with.
///
/// Invariants:
/// - a caller's [#write] returns, and a [#writeAsync] future completes, only after the transaction
///   holding its work has committed, and after the unit's after-commit actions
///   ([SqlSession#afterCommit]) have run;
/// - callers learn of a commit on another thread than this one, one thread per commit; two
///   commits' callers may learn of them in either order;
/// - after-commit actions run on this thread in commit order, and only for committed units;
/// - if the commit fails, every unit of the batch fails, so no caller is told "stored" wrongly;
/// - after [#close] starts, new work is refused, and work already queued still commits;
/// - a [#write] is never committed at a lower safety level than the connection was opened with.
final class GroupCommitWriter implements AutoCloseable {
    static final String BATCH_SIZE = "courier.sqlite.commit.batch";
    /// How long one group commit takes, its statements and its fsync: the time every write of the
    /// batch waits for, and where a slow disk or a WAL checkpoint shows.
    static final String COMMIT_TIME = "courier.sqlite.commit.time";
    static final String UNSYNCED_COMMITS = "courier.sqlite.commit.unsynced";
    private static final Logger log = LoggerFactory.getLogger(GroupCommitWriter.class);
    private static final int MAX_BATCH = 512;
    /// `PRAGMA synchronous` levels: NORMAL, in WAL mode, writes the WAL at commit without an fsync.
    private static final int NORMAL = 1;
    private static final int UNKNOWN = -1;
    private static final ThreadFactory COMPLETIONS = Thread.ofVirtual().name("sqlite-commit-answers").factory();

    private final SqlSession session;
    private final BlockingQueue<Unit<?>> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final DistributionSummary batchSizes;
    private final Timer commitTimes;
    private final Counter unsyncedCommits;
    /// The level the connection was opened with: what synced work commits at.
    private final int syncedLevel;
    /// The level the connection is at now, or [#UNKNOWN] after a switch failed half-way.
    private int level;
    private final Object admission = new Object();
    private volatile boolean closing;

    private static final class Unit<T> {
        final SqlWork<T> work;
        final boolean synced;
        /// Runs in a savepoint of its own; false for work that checks before it writes.
        final boolean guarded;
        final CompletableFuture<T> done = new CompletableFuture<>();
        T result;
        Throwable failure;
        List<Runnable> afterCommit = List.of();

        Unit(SqlWork<T> work, boolean synced, boolean guarded) {
            this.work = work;
            this.synced = synced;
            this.guarded = guarded;
        }

        void runIn(SqlSession session) {
            try {
                result = work.run(session);
            } catch (Throwable t) {
                failure = t;
            }
        }

        void complete() {
            if (failure == null) done.complete(result);
            else if (failure instanceof RuntimeException || failure instanceof Error) done.completeExceptionally(failure);
            else done.completeExceptionally(new StorageException("database write failed", failure));
        }
    }

    GroupCommitWriter(SqlSession session, MeterRegistry metrics) throws SQLException {
        this.session = session;
        this.syncedLevel = currentLevel(session);
        this.level = syncedLevel;
        session.connection().setAutoCommit(false);
        this.batchSizes = DistributionSummary.builder(BATCH_SIZE).description("write units per SQLite commit").register(metrics);
        this.commitTimes = Timer.builder(COMMIT_TIME).description("time to run and commit one SQLite group commit")
                .register(metrics);
        this.unsyncedCommits = Counter.builder(UNSYNCED_COMMITS)
                .description("SQLite group commits that did not wait for an fsync (all their work was writeWithoutSync)")
                .register(metrics);
        this.thread = Thread.ofPlatform().name("sqlite-writer").daemon(false).start(this::loop);
    }

    /// Runs `work` and returns once it is committed and synced to disk.
    <T> T write(SqlWork<T> work) {
        return await(submit(new Unit<>(work, true, true)));
    }

    /// [#write] for work that has changed nothing whenever it throws an unchecked exception: it
    /// runs without a savepoint (see the class comment).
    <T> T writeCheckedFirst(SqlWork<T> work) {
        return await(submit(new Unit<>(work, true, false)));
    }

    /// [#writeAsync] for work that has changed nothing whenever it throws an unchecked exception:
    /// it runs without a savepoint (see the class comment).
    <T> CompletableFuture<T> writeAsyncCheckedFirst(SqlWork<T> work) {
        return submit(new Unit<>(work, true, false));
    }

    /// [#write] without waiting: the future completes, on a thread of its own, once `work` is
    /// committed and synced to disk, or fails with what `work` threw (or a [StorageException]).
    /// What depends on it runs on that thread, together with the rest of the commit's.
    <T> CompletableFuture<T> writeAsync(SqlWork<T> work) {
        return submit(new Unit<>(work, true, true));
    }

    /// Runs `work` and returns once it is committed, without waiting for its commit to reach the
    /// disk if nothing synced shares it (see the class comment). Only for work whose undoing by a
    /// power loss is harmless.
    <T> T writeWithoutSync(SqlWork<T> work) {
        return await(submit(new Unit<>(work, false, true)));
    }

    private <T> CompletableFuture<T> submit(Unit<T> unit) {
        // Admission and closing share a lock, so no unit can slip in after the loop's last look.
        synchronized (admission) {
            if (closing) throw new IllegalStateException("the database is shutting down");
            queue.add(unit);
        }
        return unit.done;
    }

    private static <T> T await(CompletableFuture<T> done) {
        try {
            return done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while waiting for a commit", e);
        } catch (ExecutionException e) {
            // Unit#complete fails futures only with unchecked exceptions.
            Throwable cause = e.getCause();
            if (cause instanceof Error err) throw err;
            throw (RuntimeException) cause;
        }
    }

    private void loop() {
        List<Unit<?>> batch = new ArrayList<>(MAX_BATCH);
        while (!closing || !queue.isEmpty()) {
            try {
                Unit<?> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                commit(batch);
            } catch (InterruptedException e) {
                // Only close() interrupts, and it wants the queue drained first: keep looping.
            } finally {
                batch.clear();
            }
        }
    }

    private void commit(List<Unit<?>> batch) {
        long started = System.nanoTime();
        boolean synced = false;
        for (Unit<?> unit : batch) synced |= unit.synced;
        int wanted = synced ? syncedLevel : Math.min(syncedLevel, NORMAL);
        SQLException broken = switchLevel(wanted);
        // Indexed, not iterated: the batch grows while it runs (below).
        for (int i = 0; broken == null && i < batch.size(); i++) {
            Unit<?> unit = batch.get(i);
            try {
                broken = unit.guarded ? runGuarded(unit) : runCheckedFirst(unit);
            } catch (SQLException e) {
                // The savepoint machinery or the change count itself failed (I/O error, disk
                // full): the transaction may hold a failed unit's partial writes, so none of it
                // may commit.
                broken = e;
            }
            if (broken != null) break;
            // Work that arrived while this batch ran joins it before the commit: it would
            // otherwise wait for this commit and then for one of its own, and each commit costs an
            // fsync (CPU too, on a virtual disk: in a profile at 8,000 sends/s the commit's fsync
            // and WAL writes were a third of this thread's time). The batch's earlier units wait
            // for the newcomers' statements, which are short beside an fsync; under load commits
            // get fewer and larger. An unsynced batch has no fsync to share, and does not grow:
            // a synced newcomer could not commit at its level.
            if (synced && i == batch.size() - 1 && batch.size() < MAX_BATCH) queue.drainTo(batch, MAX_BATCH - batch.size());
        }
        if (broken == null) {
            try {
                session.connection().commit();
            } catch (SQLException e) {
                broken = e;
            }
        }
        if (broken != null) {
            log.error("group commit of {} write units failed; all of them are reported as failed", batch.size(), broken);
            try {
                session.connection().rollback();
            } catch (SQLException rollbackFailure) {
                broken.addSuppressed(rollbackFailure);
            }
            for (Unit<?> unit : batch) {
                if (unit.failure == null) unit.failure = new StorageException("commit failed", broken);
            }
        } else {
            if (wanted < syncedLevel) unsyncedCommits.increment();
            for (Unit<?> unit : batch) runAfterCommit(unit.afterCommit);
        }
        batchSizes.record(batch.size());
        commitTimes.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        // One hand-off for the whole batch: a virtual thread completes every unit, and runs what
        // the asynchronous callers chained to them (answers, delivery wake-ups). Run here, that
        // work and a wake-up per waiting caller would delay the next commit, which every write
        // waits for.
        List<Unit<?>> done = List.copyOf(batch);
        COMPLETIONS.newThread(() -> {
            for (Unit<?> unit : done) unit.complete();
        }).start();
    }

    /// Runs `unit` in a savepoint, and rolls back to it if the unit fails.
    private SQLException runGuarded(Unit<?> unit) throws SQLException {
        // Prepared once and reused: a plain statement per call parsed the SQL each time.
        session.prepare("SAVEPOINT unit").execute();
        unit.runIn(session);
        List<Runnable> actions = session.takeAfterCommit();
        if (unit.failure != null) session.prepare("ROLLBACK TO unit").execute();
        else unit.afterCommit = actions;
        session.prepare("RELEASE unit").execute();
        return null;
    }

    /// Runs `unit` without a savepoint; returns why the batch cannot commit if the unit failed
    /// in a way only a savepoint could have undone.
    private SQLException runCheckedFirst(Unit<?> unit) throws SQLException {
        long changesBefore = session.totalChanges();
        unit.runIn(session);
        List<Runnable> actions = session.takeAfterCommit();
        if (unit.failure == null) {
            unit.afterCommit = actions;
            return null;
        }
        if (unit.failure instanceof RuntimeException && session.totalChanges() == changesBefore) return null;
        return new SQLException("a write unit without a savepoint failed after changing rows, or with an SQL error; "
                + "its batch cannot commit without it", unit.failure);
    }

    /// Puts the connection at `wanted` for the next commit. The driver keeps a transaction open
    /// between commits, and SQLite refuses to change the level inside one, so this leaves it for
    /// the change; its transaction is empty here, between batches.
    private SQLException switchLevel(int wanted) {
        if (level == wanted) return null;
        level = UNKNOWN;
        try {
            session.connection().setAutoCommit(true);
            try {
                session.prepare(switch (wanted) {
                    case 0 -> "PRAGMA synchronous = OFF";
                    case NORMAL -> "PRAGMA synchronous = NORMAL";
                    case 2 -> "PRAGMA synchronous = FULL";
                    default -> "PRAGMA synchronous = EXTRA";
                }).execute();
            } finally {
                session.connection().setAutoCommit(false);
            }
            level = wanted;
            return null;
        } catch (SQLException e) {
            return e;
        }
    }

    private static int currentLevel(SqlSession session) throws SQLException {
        try (var rs = session.prepare("PRAGMA synchronous").executeQuery()) {
            return rs.getInt(1);
        }
    }

    /// The data is committed whatever an action does: a failing one is logged, and the others
    /// and the callers' answers go ahead.
    private static void runAfterCommit(List<Runnable> actions) {
        for (Runnable action : actions) {
            try {
                action.run();
            } catch (RuntimeException e) {
                log.error("an after-commit action failed; the commit stands", e);
            }
        }
    }

    @Override
    public void close() {
        synchronized (admission) {
            closing = true;
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /// Closes the connection after [#close] has drained the queue.
    void closeSession() {
        try {
            session.close();
        } catch (SQLException e) {
            log.warn("closing the writer connection failed", e);
        }
    }
}
