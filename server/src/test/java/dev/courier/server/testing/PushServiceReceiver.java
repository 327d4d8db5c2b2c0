package dev.courier.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.courier.protocol.webpush.P256;
import dev.courier.protocol.webpush.WebPushCrypto;
import dev.courier.protocol.webpush.WebPushCryptoException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/// A push service on 127.0.0.1 that speaks RFC 8030 to the server under test and checks what a
/// strict real one would: the VAPID `Authorization` (RFC 8292), the `TTL` and `Urgency` headers
/// (RFC 8030 §5.2, §5.3), and an `aes128gcm` body that decrypts under the subscription's keys
/// (RFC 8291). What passes is recorded as a [ReceivedPush] with its plaintext; what fails is
/// answered 4xx and recorded as a [Rejection], so a test can assert that none happened.
///
/// Tests can make it misbehave, for everyone or for one subscription: [Mode#GONE] (the user
/// unsubscribed), [Mode#NOT_FOUND], [Mode#SERVER_ERROR] and [Mode#TOO_MANY_REQUESTS] (for retry
/// logic), and [Mode#HANG], which reads the request and never answers until [#close()].
///
/// Requests are handled on virtual threads, so any number may hang at once. All state is in
/// concurrent collections; accessors return snapshots.
public final class PushServiceReceiver implements AutoCloseable {
    /// RFC 8030 §7.2: a push service must accept bodies of at least 4096 bytes; we accept exactly that.
    public static final int MAX_BODY = 4096;
    /// RFC 8292 §2: a token must not expire more than 24 hours after the request.
    public static final Duration MAX_TOKEN_LIFETIME = Duration.ofHours(24);

    private static final String PUSH_PATH = "/push/";
    private static final Set<String> URGENCIES = Set.of("very-low", "low", "normal", "high");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    /// How the receiver answers a push, before it looks at the request.
    public enum Mode {
        /// Validate, decrypt, record, answer `201 Created`.
        ACCEPT,
        /// `410 Gone`: the subscription has expired or was withdrawn (RFC 8030 §7.3).
        GONE,
        /// `404 Not Found`.
        NOT_FOUND,
        /// `500 Internal Server Error`.
        SERVER_ERROR,
        /// `429 Too Many Requests` with `Retry-After: 1`.
        TOO_MANY_REQUESTS,
        /// Read the request, then never answer until the receiver is closed.
        HANG
    }

    /// What a browser hands its application server after `PushManager.subscribe()`: the endpoint
    /// and the `p256dh` and `auth` keys (unpadded base64url), plus the private key only the user
    /// agent holds.
    public record Subscription(String id, URI endpoint, String p256dh, String auth, ECPrivateKey privateKey) {
        public byte[] publicKey() {
            return P256.fromBase64Url(p256dh);
        }

        public byte[] authSecret() {
            return P256.fromBase64Url(auth);
        }

        @Override
        public String toString() {
            return "Subscription[" + endpoint + "]";
        }
    }

    /// A push that passed every check. `urgency` is empty when the header was absent (which
    /// RFC 8030 §5.3 reads as `normal`).
    /// `plaintext` is null for a bare [#newEndpoint()], whose keys only the device holds; `body`
    /// is always the encrypted message as delivered.
    public record ReceivedPush(String subscriptionId, byte[] plaintext, byte[] body, Duration ttl, Optional<String> urgency,
            Instant receivedAt) {
        public String text() {
            return new String(plaintext, StandardCharsets.UTF_8);
        }
    }

    /// A push refused as invalid, with the status it was answered and why.
    public record Rejection(String subscriptionId, int status, String reason, Instant at) {}

    private final Clock clock;
    private final HttpServer http;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final String origin;
    private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    private final Map<String, Mode> modes = new ConcurrentHashMap<>();
    private final List<ReceivedPush> received = new ArrayList<>();
    private final List<Rejection> rejections = new ArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile Mode globalMode = Mode.ACCEPT;
    private volatile byte[] expectedServerKey;

    /// A receiver that checks token expiry against the system clock.
    public PushServiceReceiver() {
        this(Clock.systemUTC());
    }

    /// A receiver that checks token expiry against `clock`; pass the server's clock when the
    /// test moves it.
    public PushServiceReceiver(Clock clock) {
        this.clock = clock;
        try {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the test push service", e);
        }
        http.setExecutor(executor);
        http.createContext("/", this::handle);
        http.start();
        origin = "http://127.0.0.1:" + http.getAddress().getPort();
    }

    /// `http://127.0.0.1:<port>`: what the `aud` claim must be.
    public String origin() {
        return origin;
    }

    public int port() {
        return http.getAddress().getPort();
    }

    /// A new subscription with fresh keys, as a user agent would create it.
    public Subscription newSubscription() {
        byte[] idBytes = new byte[16];
        RANDOM.nextBytes(idBytes);
        String id = P256.base64Url(idBytes);
        KeyPair pair = P256.generateKeyPair();
        byte[] auth = new byte[WebPushCrypto.AUTH_SECRET_LENGTH];
        RANDOM.nextBytes(auth);
        Subscription subscription = new Subscription(id, URI.create(origin + PUSH_PATH + id),
                P256.base64Url(P256.encodePoint((ECPublicKey) pair.getPublic())), P256.base64Url(auth),
                (ECPrivateKey) pair.getPrivate());
        subscriptions.put(id, subscription);
        return subscription;
    }

    /// A bare endpoint, as a UnifiedPush distributor hands out before the application has made
    /// its keys. The receiver cannot decrypt what arrives there: it checks everything else and
    /// records the body as delivered, for the device under test to open.
    public Subscription newEndpoint() {
        byte[] idBytes = new byte[16];
        RANDOM.nextBytes(idBytes);
        String id = P256.base64Url(idBytes);
        Subscription subscription = new Subscription(id, URI.create(origin + PUSH_PATH + id), null, null, null);
        subscriptions.put(id, subscription);
        return subscription;
    }

    /// Restricts every subscription to one application server (RFC 8292 §4): a push whose `k`
    /// is another key is refused with `403`.
    public void expectServerKey(String base64UrlKey) {
        this.expectedServerKey = P256.fromBase64Url(base64UrlKey);
    }

    /// Sets how every subscription without a mode of its own is answered.
    public void setMode(Mode mode) {
        this.globalMode = mode;
    }

    /// Sets how one subscription is answered, whatever the global mode.
    public void setMode(String subscriptionId, Mode mode) {
        modes.put(subscriptionId, mode);
    }

    public List<ReceivedPush> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    public List<ReceivedPush> received(String subscriptionId) {
        return received().stream().filter(p -> p.subscriptionId().equals(subscriptionId)).toList();
    }

    public List<Rejection> rejections() {
        synchronized (rejections) {
            return List.copyOf(rejections);
        }
    }

    /// Every request to this receiver, whatever it was answered.
    public int requestCount() {
        return requests.get();
    }

    /// Waits until at least `count` pushes have been received and returns them all.
    ///
    /// @throws AssertionError on timeout, naming what was received and what was rejected
    public List<ReceivedPush> awaitReceived(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (received) {
            while (received.size() < count) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw new AssertionError("expected " + count + " pushes within " + timeout + ", received "
                            + received.size() + " in " + requests.get() + " requests; rejections: " + rejections());
                }
                received.wait(Math.max(1, remaining / 1_000_000));
            }
            return List.copyOf(received);
        }
    }

    /// Releases hanging requests, then stops the HTTP server.
    @Override
    public void close() {
        closed.countDown();
        http.stop(0);
        executor.close();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            requests.incrementAndGet();
            String path = exchange.getRequestURI().getPath();
            String id = path.startsWith(PUSH_PATH) ? path.substring(PUSH_PATH.length()) : "";
            byte[] body = readBody(exchange.getRequestBody());
            Subscription subscription = subscriptions.get(id);
            if (!exchange.getRequestMethod().equals("POST")) {
                reject(exchange, id, 405, "push messages are sent with POST");
                return;
            }
            if (subscription == null) {
                reject(exchange, id, 404, "no subscription at " + path);
                return;
            }
            Mode mode = modes.getOrDefault(id, globalMode);
            if (mode != Mode.ACCEPT) {
                misbehave(exchange, mode);
                return;
            }
            accept(exchange, subscription, body);
        }
    }

    private void misbehave(HttpExchange exchange, Mode mode) throws IOException {
        switch (mode) {
            case GONE -> answer(exchange, 410, "subscription expired");
            case NOT_FOUND -> answer(exchange, 404, "no such subscription");
            case SERVER_ERROR -> answer(exchange, 500, "push service failure");
            case TOO_MANY_REQUESTS -> {
                exchange.getResponseHeaders().set("Retry-After", "1");
                answer(exchange, 429, "slow down");
            }
            case HANG -> {
                try {
                    closed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            case ACCEPT -> throw new IllegalArgumentException("not a misbehaviour");
        }
    }

    private void accept(HttpExchange exchange, Subscription subscription, byte[] body) throws IOException {
        String id = subscription.id();
        var headers = exchange.getRequestHeaders();
        String authorization = headers.getFirst("Authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, "vapid ", 0, 6)) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "vapid");
            reject(exchange, id, 401, "no vapid Authorization header (RFC 8292 §3)");
            return;
        }
        String vapidProblem = vapidProblem(authorization.substring(6));
        if (vapidProblem != null) {
            reject(exchange, id, 403, vapidProblem);
            return;
        }
        String ttlHeader = headers.getFirst("TTL");
        if (ttlHeader == null || !ttlHeader.matches("[0-9]{1,10}")) {
            reject(exchange, id, 400, "the TTL header is required and must be a number of seconds (RFC 8030 §5.2)");
            return;
        }
        String urgency = headers.getFirst("Urgency");
        if (urgency != null && !URGENCIES.contains(urgency)) {
            reject(exchange, id, 400, "Urgency must be one of " + URGENCIES + " (RFC 8030 §5.3)");
            return;
        }
        String encoding = headers.getFirst("Content-Encoding");
        if (encoding == null || !encoding.trim().equalsIgnoreCase("aes128gcm")) {
            reject(exchange, id, 415, "Content-Encoding must be aes128gcm (RFC 8291 §4)");
            return;
        }
        if (body.length > MAX_BODY) {
            reject(exchange, id, 413, "the body exceeds " + MAX_BODY + " bytes");
            return;
        }
        byte[] plaintext = null;
        if (subscription.privateKey() != null) {
            try {
                plaintext = WebPushCrypto.decrypt(body, subscription.privateKey(), subscription.publicKey(),
                        subscription.authSecret());
            } catch (WebPushCryptoException e) {
                reject(exchange, id, 400, "the body does not decrypt: " + e.getMessage());
                return;
            }
        }
        synchronized (received) {
            received.add(new ReceivedPush(id, plaintext, body, Duration.ofSeconds(Long.parseLong(ttlHeader)),
                    Optional.ofNullable(urgency), clock.instant()));
            received.notifyAll();
        }
        exchange.getResponseHeaders().set("Location", origin + "/message/" + UUID.randomUUID());
        exchange.sendResponseHeaders(201, -1);
    }

    /// Checks the parameters of the `vapid` scheme (RFC 8292 §3) and the JWT in `t` (§2);
    /// returns what is wrong, or null.
    private String vapidProblem(String parameters) {
        String token = null;
        String key = null;
        for (String parameter : parameters.split(",")) {
            String p = parameter.trim();
            if (p.startsWith("t=")) {
                token = p.substring(2);
            } else if (p.startsWith("k=")) {
                key = p.substring(2);
            }
        }
        if (token == null || key == null) {
            return "the vapid Authorization needs both t and k";
        }
        byte[] serverKey;
        ECPublicKey publicKey;
        try {
            serverKey = P256.fromBase64Url(key);
            publicKey = P256.decodePoint(serverKey);
        } catch (IllegalArgumentException e) {
            return "k is not a P-256 public key: " + e.getMessage();
        }
        byte[] expected = expectedServerKey;
        if (expected != null && !Arrays.equals(expected, serverKey)) {
            return "k is not the application server key this subscription is restricted to";
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return "t is not a JWS in compact form";
        }
        try {
            JsonNode header = JSON.readTree(P256.fromBase64Url(parts[0]));
            if (!"ES256".equals(header.path("alg").asText(null))) {
                return "the JWT must be signed ES256";
            }
            if (!verifies(publicKey, parts[0] + "." + parts[1], P256.fromBase64Url(parts[2]))) {
                return "the JWT signature does not verify with k";
            }
            return claimsProblem(JSON.readTree(P256.fromBase64Url(parts[1])));
        } catch (IOException | IllegalArgumentException e) {
            return "the JWT is malformed: " + e.getMessage();
        }
    }

    private String claimsProblem(JsonNode claims) {
        if (!origin.equals(claims.path("aud").asText(null))) {
            return "aud must be " + origin + ", got " + claims.path("aud");
        }
        if (!claims.path("exp").canConvertToLong()) {
            return "exp must be a number";
        }
        Instant now = clock.instant();
        Instant exp = Instant.ofEpochSecond(claims.path("exp").asLong());
        if (!exp.isAfter(now)) {
            return "the JWT expired at " + exp;
        }
        if (exp.isAfter(now.plus(MAX_TOKEN_LIFETIME))) {
            return "exp " + exp + " is more than 24 hours ahead";
        }
        String sub = claims.path("sub").asText("").toLowerCase(Locale.ROOT);
        if (!sub.startsWith("mailto:") && !sub.startsWith("https:")) {
            return "sub must be a mailto: or https: contact";
        }
        return null;
    }

    private static boolean verifies(ECPublicKey key, String signingInput, byte[] signature) {
        if (signature.length != 64) {
            return false;
        }
        try {
            // An independent check of the server's DER-to-JOSE conversion: the JDK reads R || S itself.
            Signature verifier = Signature.getInstance("SHA256withECDSAinP1363Format");
            verifier.initVerify(key);
            verifier.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private void reject(HttpExchange exchange, String subscriptionId, int status, String reason) throws IOException {
        synchronized (rejections) {
            rejections.add(new Rejection(subscriptionId, status, reason, clock.instant()));
        }
        answer(exchange, status, reason);
    }

    private static void answer(HttpExchange exchange, int status, String reason) throws IOException {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, text.length);
        exchange.getResponseBody().write(text);
    }

    /// Reads at most one byte more than [#MAX_BODY], enough to tell that a body is too large.
    private static byte[] readBody(InputStream in) throws IOException {
        byte[] body = in.readNBytes(MAX_BODY + 1);
        in.transferTo(OutputStream.nullOutputStream());
        return body;
    }
}
