package dev.courier.bench;

/// Bad command-line input: printed as one line, exit code 2.
public final class CliException extends RuntimeException {
    public CliException(String message) {
        super(message);
    }
}
