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
}
