package dev.courier.server.push;

import dev.courier.server.ServiceException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.function.Predicate;

/// Which push endpoint URLs the server agrees to POST to.
///
/// The server makes requests to whatever a device registers, so an endpoint is a way to aim the
/// server at a host of the device's choosing. Production endpoints must therefore be `https`, and
/// never a loopback, link-local or wildcard address, where a server's own admin interfaces live.
/// Private LAN addresses stay allowed: a self-hosted UnifiedPush distributor often lives there.
/// `http://` to loopback is admitted only when configured, for development and tests.
public final class EndpointPolicy {
    /// Real endpoints (FCM, Mozilla, Apple, ntfy) are a few hundred characters at most.
    public static final int MAX_LENGTH = 2048;
    private final boolean allowHttpLoopback;

    public EndpointPolicy(boolean allowHttpLoopback) {
        this.allowHttpLoopback = allowHttpLoopback;
    }

    /// The endpoint, normalised; or a `400 invalid_push_endpoint` saying what is wrong.
    public URI check(String endpoint) {
        if (endpoint == null || endpoint.isBlank()) throw invalid("endpoint is required");
        if (endpoint.length() > MAX_LENGTH) throw invalid("endpoint is longer than " + MAX_LENGTH + " characters");
        URI uri;
        try {
            uri = new URI(endpoint);
        } catch (URISyntaxException e) {
            throw invalid("endpoint is not a valid URL");
        }
        if (!uri.isAbsolute() || uri.getHost() == null) throw invalid("endpoint must be an absolute URL with a host");
        if (uri.getRawUserInfo() != null) throw invalid("endpoint must not carry user information");
        if (uri.getRawFragment() != null) throw invalid("endpoint must not have a fragment");
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        boolean loopback = isLoopback(uri.getHost());
        switch (scheme) {
            case "https" -> {
                if (loopback && !allowHttpLoopback) throw invalid("endpoint must not point at this server's own host");
                if (isLiteralOf(uri.getHost(), EndpointPolicy::isLocalOnly)) {
                    throw invalid("endpoint must not be a link-local, wildcard or multicast address");
                }
            }
            case "http" -> {
                if (!allowHttpLoopback) throw invalid("endpoint must be an https URL");
                if (!loopback) throw invalid("endpoint must be an https URL (http is allowed only on loopback, for development)");
            }
            default -> throw invalid("endpoint must be an https URL");
        }
        return uri;
    }

    private static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.equals("localhost") || h.endsWith(".localhost")) return true;
        return isLiteralOf(host, InetAddress::isLoopbackAddress);
    }

    private static boolean isLocalOnly(InetAddress a) {
        return a.isLinkLocalAddress() || a.isAnyLocalAddress() || a.isMulticastAddress() || a.isLoopbackAddress();
    }

    /// Tests an IP literal without any DNS lookup (a name is left to resolve at push time).
    private static boolean isLiteralOf(String host, Predicate<InetAddress> test) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        boolean literal = h.contains(":") || h.chars().allMatch(c -> c == '.' || Character.isDigit(c));
        if (!literal) return false;
        try {
            return test.test(InetAddress.ofLiteral(h));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static ServiceException invalid(String message) {
        return ServiceException.badRequest("invalid_push_endpoint", message);
    }
}
