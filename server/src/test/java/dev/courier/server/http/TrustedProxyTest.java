package dev.courier.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/// Per-IP limits behind a reverse proxy: `X-Forwarded-For` counts only when the peer is a
/// configured trusted proxy, and then only its right-most untrusted hop.
class TrustedProxyTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private int get(TestServer server, String forwardedFor) throws Exception {
        var builder = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/push/vapid-key"));
        if (forwardedFor != null) builder.header("X-Forwarded-For", forwardedFor);
        return http.send(builder.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void behindATrustedProxyEachClientHasItsOwnBucket() throws Exception {
        try (var server = new TestServer(Map.of("ratelimit.perIp", "3/1m", "http.trustedProxies", "127.0.0.1, ::1"))) {
            for (int i = 0; i < 3; i++) assertThat(get(server, "203.0.113.7")).isEqualTo(200);
            assertThat(get(server, "203.0.113.7")).isEqualTo(429);
            // Another client behind the same proxy is not held back by the first.
            assertThat(get(server, "203.0.113.8")).isEqualTo(200);
            // A client cannot escape its bucket by prepending addresses of its own: the proxy
            // appends the real one, and that is the one counted.
            assertThat(get(server, "198.51.100.1, 203.0.113.7")).isEqualTo(429);
        }
    }

    @Test
    void withoutTrustedProxiesTheHeaderIsIgnored() throws Exception {
        try (var server = new TestServer(Map.of("ratelimit.perIp", "3/1m"))) {
            assertThat(get(server, "203.0.113.1")).isEqualTo(200);
            assertThat(get(server, "203.0.113.2")).isEqualTo(200);
            assertThat(get(server, "203.0.113.3")).isEqualTo(200);
            // All three came from 127.0.0.1, whatever they claimed.
            assertThat(get(server, "203.0.113.4")).isEqualTo(429);
        }
    }

    @Test
    void aMalformedHeaderFallsBackToThePeer() throws Exception {
        try (var server = new TestServer(Map.of("ratelimit.perIp", "2/1m", "http.trustedProxies", "127.0.0.1"))) {
            assertThat(get(server, "not-an-ip")).isEqualTo(200);
            assertThat(get(server, "also bad")).isEqualTo(200);
            assertThat(get(server, "<script>")).isEqualTo(429);
        }
    }
}
