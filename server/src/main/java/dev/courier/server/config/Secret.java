package dev.courier.server.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/// A configured secret. Its `toString()` never shows the value, so it cannot leak into logs.
public final class Secret {
    private final String value;

    public Secret(String value) {
        this.value = value;
    }

    public String reveal() {
        return value;
    }

    /// Constant-time comparison, so response timing says nothing about the secret.
    public boolean matches(String candidate) {
        if (candidate == null) return false;
        return MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8), candidate.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "Secret[redacted]";
    }
}
