package dev.courier.protocol.webpush;

/// A push message body that cannot be opened: malformed, truncated, tampered with, or encrypted to
/// other keys. It is checked because the body comes from the network, and the caller must decide
/// what to answer; the message says which check failed and never carries key material.
public final class WebPushCryptoException extends Exception {
    public WebPushCryptoException(String message) {
        super(message);
    }

    public WebPushCryptoException(String message, Throwable cause) {
        super(message, cause);
    }
}
