package dev.courier.server.http;

import io.javalin.http.Context;
import java.net.InetAddress;
import java.util.Set;

/// The address a request came from, for per-IP limits.
///
/// Behind a reverse proxy every request comes from the proxy, so all clients would share one
/// bucket. When the TCP peer is a configured trusted proxy, the client is the right-most address
/// of `X-Forwarded-For` that is not itself a trusted proxy: the hops a proxy appended are true,
/// anything left of them was written by the client and can be forged. Without trusted proxies
/// the header is ignored entirely.
final class ClientAddress {
    private final Set<InetAddress> trustedProxies;

    ClientAddress(Set<InetAddress> trustedProxies) {
        this.trustedProxies = trustedProxies;
    }

    String of(Context ctx) {
        return of(ctx.req().getRemoteAddr(), ctx.header("X-Forwarded-For"));
    }

    /// The same for a request that Javalin does not see (the WebSocket upgrade): the TCP peer's
    /// address and the request's `X-Forwarded-For`, if any.
    String of(String peer, String forwarded) {
        if (trustedProxies.isEmpty() || !isTrusted(peer)) return peer;
        if (forwarded == null || forwarded.length() > 2048) return peer;
        String[] hops = forwarded.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            InetAddress hop = parse(hops[i].trim());
            if (hop == null) return peer; // a malformed hop: trust nothing further left
            if (!trustedProxies.contains(hop)) return hop.getHostAddress();
        }
        return peer;
    }

    private boolean isTrusted(String address) {
        InetAddress parsed = parse(address);
        return parsed != null && trustedProxies.contains(parsed);
    }

    private static InetAddress parse(String text) {
        String literal = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        try {
            return InetAddress.ofLiteral(literal);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
