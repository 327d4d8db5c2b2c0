package dev.courier.bench.target;

/// The server under test could not be started, reached or read: one line on stderr, exit code 1.
public final class TargetException extends RuntimeException {
    public TargetException(String message) {
        super(message);
    }
}
