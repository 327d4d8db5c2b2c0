package dev.courier.server.storage;

/// The database failed in a way the request cannot recover from. The message says what Courier
/// was doing; the cause holds the driver's exception.
public final class StorageException extends RuntimeException {
    public StorageException(String whatFailed, Throwable cause) {
        super(whatFailed, cause);
    }
}
