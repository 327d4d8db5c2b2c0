package dev.courier.server.storage.sqlite;

import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/// A bounded map of rows read recently from the embedded database, for reads on the send path
/// that would otherwise cost a pooled connection and a query per request.
///
/// It is only correct because the SQLite backend is one process: every write to the cached rows
/// goes through this process's store, which calls [#invalidate] after its commit. (A cluster on
/// PostgreSQL has no such single writer, which is why this lives in the SQLite backend.)
///
/// Invariants:
/// - a reader first takes a [#ticket], then reads the database, then [#offer]s what it read; an
///   offer is dropped if any [#invalidate] happened since its ticket, so a read that raced a write
///   can never put the old row back after the write's invalidation;
/// - `offer` and `invalidate` hold the same lock, so the check and the put are one step;
/// - [#get] takes no lock: a hit is a row that no invalidation has removed since it was put;
/// - at most `capacity` entries: past it, an arbitrary entry is dropped, which costs a later read,
///   never a wrong answer.
final class ReadCache<K, V> {
    private final int capacity;
    private final ConcurrentHashMap<K, V> entries = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    /// Counts invalidations; guarded by `lock` for writes, read in [#ticket] without it.
    private volatile long generation;

    ReadCache(int capacity) {
        this.capacity = capacity;
    }

    Optional<V> get(K key) {
        return Optional.ofNullable(entries.get(key));
    }

    /// Taken before reading the database; hand it back to [#offer].
    long ticket() {
        return generation;
    }

    /// Caches `value` for `key` unless something was invalidated after `ticket` was taken.
    void offer(long ticket, K key, V value) {
        synchronized (lock) {
            if (generation != ticket) return;
            if (entries.size() >= capacity && !entries.containsKey(key)) evictOne();
            entries.put(key, value);
        }
    }

    /// Forgets `key`; call after the write that changed its row has committed.
    void invalidate(K key) {
        synchronized (lock) {
            generation++;
            entries.remove(key);
        }
    }

    private void evictOne() {
        Iterator<K> keys = entries.keySet().iterator();
        if (keys.hasNext()) {
            keys.next();
            keys.remove();
        }
    }
}
