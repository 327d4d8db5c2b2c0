package dev.courier.server.config;

import java.time.Duration;

/// A token bucket: up to `permits` requests at once, refilled at `permits` per `period`.
/// Written in configuration as `permits/period`, e.g. `600/1m`.
public record RateLimit(int permits, Duration period) {
    public RateLimit {
        if (permits <= 0) throw new IllegalArgumentException("a rate limit needs at least one permit");
        if (period.isZero() || period.isNegative()) throw new IllegalArgumentException("a rate limit's period must be positive");
    }

    public static RateLimit parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) throw new IllegalArgumentException("'" + text + "' is not a rate such as 600/1m");
        try {
            return new RateLimit(Integer.parseInt(text.substring(0, slash).trim()), Durations.parse(text.substring(slash + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a rate such as 600/1m");
        }
    }

    /// Permits added back per nanosecond.
    public double permitsPerNano() {
        return permits / (double) period.toNanos();
    }

    @Override
    public String toString() {
        return permits + "/" + period;
    }
}
