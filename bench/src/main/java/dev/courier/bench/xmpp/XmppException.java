package dev.courier.bench.xmpp;

/// An XMPP connection or login failed: one line on stderr, exit code 1.
public final class XmppException extends RuntimeException {
    public XmppException(String message) {
        super(message);
    }
}
