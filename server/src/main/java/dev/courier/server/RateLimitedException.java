package dev.courier.server;

import java.time.Duration;

/// `429`: a token bucket is empty. `retryAfter` becomes the `Retry-After` header.
public class RateLimitedException extends ServiceException {
    private final Duration retryAfter;

    public RateLimitedException(String code, String message, Duration retryAfter) {
        super(429, code, message);
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    /// `retryAfter` in whole seconds, rounded up and at least 1: `Retry-After` takes seconds, and
    /// `0` would invite an immediate retry that the bucket refuses again.
    public long retryAfterSeconds() {
        return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    }
}
