package dev.courier.server.push;

import dev.courier.server.accounts.DeviceAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/// At most one wake-up per device per interval.
///
/// A burst of messages to a sleeping phone needs one wake-up, not one each: the device drains its
/// whole queue when it connects. Connecting clears the device's entry, so a message that arrives
/// after the device has been and gone wakes it again at once instead of waiting out the interval.
/// If the device stays away, the first message after the interval wakes it again, in case the
/// earlier wake-up was lost.
final class WakeUpCoalescer {
    private final ConcurrentHashMap<DeviceAddress, Long> lastWake = new ConcurrentHashMap<>();
    private final long intervalMillis;
    private final Clock clock;

    WakeUpCoalescer(Duration interval, Clock clock) {
        this.intervalMillis = interval.toMillis();
        this.clock = clock;
    }

    /// True if a wake-up should go now; false if one went within the interval.
    boolean admit(DeviceAddress device) {
        long now = clock.millis();
        boolean[] admitted = {false};
        lastWake.compute(device, (d, last) -> {
            if (last != null && now - last < intervalMillis) return last;
            admitted[0] = true;
            return now;
        });
        return admitted[0];
    }

    /// The device connected: whatever comes next needs a fresh wake-up.
    void connected(DeviceAddress device) {
        lastWake.remove(device);
    }

    /// Drops entries older than the interval, which can no longer hold anything back.
    void purge() {
        long cutoff = clock.millis() - intervalMillis;
        lastWake.values().removeIf(t -> t <= cutoff);
    }

    int size() {
        return lastWake.size();
    }
}
