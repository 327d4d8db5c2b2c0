package dev.courier.cli.logging;

import ch.qos.logback.classic.pattern.ThrowableHandlingConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;

/// Logback converter that shows a logged exception as `(cause: message)` on the same line instead
/// of a stack trace. The SDK logs some warnings with their exception; in a terminal the user needs
/// the one line, not forty lines of frames.
public final class ThrowableSummary extends ThrowableHandlingConverter {
    @Override
    public String convert(ILoggingEvent event) {
        IThrowableProxy t = event.getThrowableProxy();
        if (t == null) return "";
        IThrowableProxy root = t;
        while (root.getCause() != null) root = root.getCause();
        String message = root.getMessage();
        return " (" + (message == null || message.isBlank() ? "no details" : message.strip().replaceAll("\\s*\\R\\s*", "; ")) + ")";
    }
}
