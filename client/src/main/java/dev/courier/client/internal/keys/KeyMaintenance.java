package dev.courier.client.internal.keys;

import dev.courier.client.internal.net.ServerApi;
import dev.courier.client.internal.store.LocalState;
import dev.courier.client.internal.store.SignalStore;
import dev.courier.protocol.KeyCountResponse;
import dev.courier.protocol.UploadKeysRequest;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/// Keeps the device's keys on the server fresh: tops up one-time keys when the server's count
/// runs low, and rotates the signed pre-key and the last-resort Kyber key on a schedule.
public final class KeyMaintenance {
    private static final Logger log = LoggerFactory.getLogger(KeyMaintenance.class);
    /// Top up below this many one-time keys of a kind...
    public static final int LOW_WATER = 25;
    /// ...with this many.
    public static final int BATCH = 100;
    static final String LAST_ROTATION = "signed_rotated_at";
    /// Old signed pre-keys stay a while: a PreKey message made just before a rotation still needs them.
    private static final Duration KEEP_OLD_SIGNED = Duration.ofDays(30);

    private final ServerApi api;
    private final PreKeys preKeys;
    private final SignalStore store;
    private final LocalState local;
    private final Duration rotateEvery;

    public KeyMaintenance(ServerApi api, PreKeys preKeys, SignalStore store, LocalState local, Duration rotateEvery) {
        this.api = api;
        this.preKeys = preKeys;
        this.store = store;
        this.local = local;
        this.rotateEvery = rotateEvery;
    }

    /// Marks the keys made at registration as just rotated.
    public static void markRotatedNow(LocalState local) {
        local.putLong(LAST_ROTATION, System.currentTimeMillis());
    }

    /// One pass: returns how many keys were uploaded.
    public synchronized int run() {
        KeyCountResponse count = api.keyCount();
        var ec = count.preKeys() < LOW_WATER ? preKeys.newPreKeys(BATCH) : null;
        var pq = count.pqPreKeys() < LOW_WATER ? preKeys.newKyberKeys(BATCH) : null;
        long now = System.currentTimeMillis();
        boolean rotate = now - local.getLong(LAST_ROTATION, 0) >= rotateEvery.toMillis();
        var signed = rotate ? preKeys.newSignedPreKey() : null;
        var lastResort = rotate ? preKeys.newKyberKey(true) : null;
        if (ec == null && pq == null && signed == null) return 0;
        api.uploadKeys(new UploadKeysRequest(signed, lastResort, ec, pq));
        if (rotate) {
            local.putLong(LAST_ROTATION, now);
            store.removeSignedPreKeysOlderThan(now - KEEP_OLD_SIGNED.toMillis(), signed.keyId());
        }
        int uploaded = (ec == null ? 0 : ec.size()) + (pq == null ? 0 : pq.size()) + (rotate ? 2 : 0);
        log.debug("uploaded {} keys (server had {} EC and {} Kyber one-time keys)", uploaded, count.preKeys(), count.pqPreKeys());
        return uploaded;
    }
}
