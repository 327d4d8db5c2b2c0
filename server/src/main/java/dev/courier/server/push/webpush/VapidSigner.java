package dev.courier.server.push.webpush;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.courier.protocol.webpush.P256;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/// Builds the `Authorization` header with which a push request identifies this server
/// (RFC 8292 §2, §3): `vapid t=<JWT>, k=<public key>`.
///
/// The JWT is signed ES256 and claims `aud`, the origin of the push resource (§2), `exp`, no
/// more than 24 hours ahead (§2; we use 12, so a push service whose clock runs ahead still
/// accepts it), and `sub`, a contact for the server's operator (§2.1).
///
/// One token serves every push to the same push service until an hour before it expires, so a
/// burst of wake-ups costs one signature per push service rather than one per device. The cache
/// is a concurrent map and any thread may call [#authorization(URI)]; two threads that miss at
/// once both sign, and either token is valid.
public final class VapidSigner {
    /// How long a token is valid.
    public static final Duration TOKEN_LIFETIME = Duration.ofHours(12);
    /// A cached token is replaced once it has less than this left, so none is sent about to expire.
    static final Duration RENEW_BEFORE_EXPIRY = Duration.ofHours(1);
    /// Audiences are push services (a few for browsers, one per self-hosted UnifiedPush
    /// distributor), so this is generous; past it, stale tokens are dropped, then all of them.
    static final int MAX_CACHED_AUDIENCES = 1024;

    private static final String JWT_HEADER =
            P256.base64Url("{\"typ\":\"JWT\",\"alg\":\"ES256\"}".getBytes(StandardCharsets.US_ASCII));
    private static final ObjectMapper JSON = new ObjectMapper();

    private final VapidKeys keys;
    private final String subject;
    private final Clock clock;
    private final String k;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();

    private record Token(String header, Instant renewAt) {}

    /// @param subject a `mailto:` or `https:` URI where the push service can reach the operator
    /// @throws IllegalArgumentException if `subject` is neither
    public VapidSigner(VapidKeys keys, String subject, Clock clock) {
        String lower = subject.toLowerCase(Locale.ROOT);
        if (!(lower.startsWith("mailto:") && lower.length() > "mailto:".length())
                && !(lower.startsWith("https:") && lower.length() > "https:".length())) {
            throw new IllegalArgumentException("the VAPID subject must be a mailto: or https: URI, got '" + subject + "'");
        }
        this.keys = keys;
        this.subject = subject;
        this.clock = clock;
        this.k = keys.publicKeyBase64Url();
    }

    /// The `Authorization` header value for a push to `endpoint`.
    ///
    /// @throws IllegalArgumentException if `endpoint` is not an absolute http(s) URL with a host
    public String authorization(URI endpoint) {
        String audience = audience(endpoint);
        Instant now = clock.instant();
        Token cached = tokens.get(audience);
        if (cached != null && now.isBefore(cached.renewAt())) {
            return cached.header();
        }
        Instant expires = now.plus(TOKEN_LIFETIME);
        Token fresh = new Token("vapid t=" + jwt(audience, expires) + ", k=" + k, expires.minus(RENEW_BEFORE_EXPIRY));
        if (tokens.size() >= MAX_CACHED_AUDIENCES) {
            tokens.values().removeIf(token -> !now.isBefore(token.renewAt()));
            if (tokens.size() >= MAX_CACHED_AUDIENCES) {
                tokens.clear();
            }
        }
        tokens.put(audience, fresh);
        return fresh.header();
    }

    /// The origin of a push resource (RFC 6454 §6.2): lower-case scheme and host, and the port
    /// only when it is not the scheme's default. Push services compare `aud` with their own
    /// origin, so `https://push.example:443/x` must give `https://push.example`.
    public static String audience(URI endpoint) {
        String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new IllegalArgumentException("a push endpoint must be an http(s) URL, got '" + endpoint + "'");
        }
        if (endpoint.getHost() == null) {
            throw new IllegalArgumentException("a push endpoint must name a host, got '" + endpoint + "'");
        }
        int port = endpoint.getPort();
        boolean defaultPort = port == -1 || (scheme.equals("https") && port == 443) || (scheme.equals("http") && port == 80);
        return scheme + "://" + endpoint.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
    }

    private String jwt(String audience, Instant expires) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("aud", audience);
        claims.put("exp", expires.getEpochSecond());
        claims.put("sub", subject);
        String signingInput;
        try {
            signingInput = JWT_HEADER + "." + P256.base64Url(JSON.writeValueAsBytes(claims));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the VAPID claims", e);
        }
        byte[] signature = Es256.sign(keys.privateKey(), signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + P256.base64Url(signature);
    }
}
