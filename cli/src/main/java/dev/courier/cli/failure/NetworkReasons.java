package dev.courier.cli.failure;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import javax.net.ssl.SSLException;

/// Turns a network failure into words a user understands ("connection refused") instead of a
/// Java class name: the JDK's HTTP client often throws exceptions with no message at all.
public final class NetworkReasons {
    private NetworkReasons() {}

    public static String describe(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            switch (t) {
                case HttpConnectTimeoutException e -> { return "connection timed out"; }
                case HttpTimeoutException e -> { return "no answer in time"; }
                case ConnectException e -> { return "connection refused (is the server running?)"; }
                case UnknownHostException e -> { return e.getMessage() == null ? "unknown host" : "unknown host " + e.getMessage(); }
                case UnresolvedAddressException e -> { return "unknown host"; }
                case NoRouteToHostException e -> { return "no route to host"; }
                case SSLException e -> { return "TLS failed: " + nonEmpty(e.getMessage(), "handshake error"); }
                default -> { }
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof IOException && t.getMessage() != null && !t.getMessage().isBlank()) return t.getMessage();
        }
        return "no connection";
    }

    static String nonEmpty(String s, String orElse) {
        return s == null || s.isBlank() ? orElse : s;
    }
}
