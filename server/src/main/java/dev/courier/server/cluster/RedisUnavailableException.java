package dev.courier.server.cluster;

/// Redis did not answer; the caller falls back to what works without it.
public final class RedisUnavailableException extends RuntimeException {
    public RedisUnavailableException(String message) {
        super(message, null, false, false);
    }
}
