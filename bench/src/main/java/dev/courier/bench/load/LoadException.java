package dev.courier.bench.load;

/// The load could not be set up or driven as asked; the message says why in one line.
public class LoadException extends RuntimeException {
    public LoadException(String message) {
        super(message);
    }

    public LoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
