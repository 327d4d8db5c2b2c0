package dev.courier.server.config;

/// A configuration problem, worded for the operator: it names the setting and what is wrong.
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
