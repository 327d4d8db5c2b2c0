package dev.courier.server.config;

import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/// Reads configuration from a properties file, then lets environment variables override it.
/// A setting `messages.maxQueueDepth` is overridden by `COURIER_MESSAGES_MAX_QUEUE_DEPTH`.
/// Unknown settings in the file are refused, so a typo never silently falls back to a default.
public final class ConfigLoader {
    /// Every setting and its default. The order is the order of `docs/OPERATIONS.md`.
    static final Map<String, String> DEFAULTS = defaults();

    private ConfigLoader() {}

    private static Map<String, String> defaults() {
        Map<String, String> d = new TreeMap<>();
        d.put("http.host", "0.0.0.0");
        d.put("http.port", "8080");
        d.put("http.maxBodySize", "3MiB");
        d.put("http.trustedProxies", "");
        d.put("storage.backend", "sqlite");
        d.put("storage.dataDir", "./data");
        d.put("storage.postgres.url", "");
        d.put("storage.postgres.user", "");
        d.put("storage.postgres.password", "");
        d.put("storage.postgres.poolSize", "10");
        d.put("accounts.maxDevices", "6");
        d.put("registration.policy", "open");
        d.put("admin.token", "");
        d.put("keys.maxPerUpload", "100");
        d.put("keys.maxStoredPerDevice", "1000");
        d.put("messages.maxCiphertextSize", "256KiB");
        d.put("messages.ttl", "30d");
        d.put("messages.expiryInterval", "1m");
        d.put("messages.maxQueueDepth", "10000");
        d.put("websocket.maxFrameSize", "64KiB");
        d.put("websocket.idleTimeout", "60s");
        d.put("websocket.deliveryWindow", "256");
        d.put("ratelimit.perIp", "3000/1m");
        d.put("ratelimit.registerPerIp", "20/1h");
        d.put("ratelimit.sendPerAccount", "1200/1m");
        d.put("ratelimit.keyFetchPerAccount", "300/1m");
        d.put("push.enabled", "true");
        d.put("push.contact", "mailto:admin@localhost");
        d.put("push.ttl", "1d");
        d.put("push.urgency", "high");
        d.put("push.coalesceInterval", "30s");
        d.put("push.timeout", "10s");
        d.put("push.maxConcurrency", "32");
        d.put("push.queueCapacity", "10000");
        d.put("push.maxAttempts", "5");
        d.put("push.allowHttpLoopback", "false");
        d.put("cluster.redisUrl", "");
        d.put("cluster.keyPrefix", "courier:");
        d.put("cluster.nodeId", "");
        d.put("cluster.presenceTtl", "20s");
        d.put("cluster.catchUpInterval", "2s");
        d.put("shutdown.grace", "10s");
        return Map.copyOf(d);
    }

    /// The environment variable that overrides `key`.
    public static String envName(String key) {
        StringBuilder sb = new StringBuilder("COURIER_");
        for (char c : key.toCharArray()) {
            if (c == '.') sb.append('_');
            else if (Character.isUpperCase(c)) sb.append('_').append(c);
            else sb.append(Character.toUpperCase(c));
        }
        return sb.toString();
    }

    public static ServerConfig load(Optional<Path> file, Map<String, String> env) {
        Map<String, String> values = new TreeMap<>(DEFAULTS);
        file.ifPresent(path -> values.putAll(readFile(path)));
        for (String key : DEFAULTS.keySet()) {
            String override = env.get(envName(key));
            if (override != null) values.put(key, override);
        }
        return build(values);
    }

    private static Map<String, String> readFile(Path path) {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(path)) {
            props.load(reader);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + path + ": " + e.getMessage());
        }
        Map<String, String> values = new TreeMap<>();
        for (String key : props.stringPropertyNames()) {
            if (!DEFAULTS.containsKey(key)) {
                throw new ConfigException("unknown setting '" + key + "' in " + path + " (see docs/OPERATIONS.md)");
            }
            values.put(key, props.getProperty(key).trim());
        }
        return values;
    }

    private static ServerConfig build(Map<String, String> v) {
        var http = new ServerConfig.Http(v.get("http.host"), intIn(v, "http.port", 0, 65535),
                size(v, "http.maxBodySize", 1024), trustedProxies(v));
        var storage = storage(v);
        var accounts = new ServerConfig.Accounts(intIn(v, "accounts.maxDevices", 1, 100),
                enumValue(v, "registration.policy", ServerConfig.RegistrationPolicy.class));
        var keys = new ServerConfig.Keys(intIn(v, "keys.maxPerUpload", 1, 1000),
                intIn(v, "keys.maxStoredPerDevice", 1, 100_000));
        var messages = new ServerConfig.Messages(size(v, "messages.maxCiphertextSize", 1024),
                duration(v, "messages.ttl"), duration(v, "messages.expiryInterval"),
                intIn(v, "messages.maxQueueDepth", 1, 10_000_000));
        var webSocket = new ServerConfig.WebSocket(size(v, "websocket.maxFrameSize", 1024),
                duration(v, "websocket.idleTimeout"), intIn(v, "websocket.deliveryWindow", 1, 100_000));
        var rates = new ServerConfig.RateLimits(rate(v, "ratelimit.perIp"), rate(v, "ratelimit.registerPerIp"),
                rate(v, "ratelimit.sendPerAccount"), rate(v, "ratelimit.keyFetchPerAccount"));
        var push = push(v);
        var cluster = cluster(v);
        String admin = v.get("admin.token");
        Optional<Secret> adminToken = Optional.empty();
        if (!admin.isEmpty()) {
            if (admin.length() < 32) throw new ConfigException("admin.token must be at least 32 characters");
            adminToken = Optional.of(new Secret(admin));
        }
        long maxSend = messages.maxCiphertextSize().bytes() * accounts.maxDevices() * 4 / 3;
        if (http.maxBodySize().bytes() < maxSend) {
            throw new ConfigException("http.maxBodySize (" + http.maxBodySize() + ") is too small for "
                    + accounts.maxDevices() + " devices' ciphertexts of messages.maxCiphertextSize; use at least "
                    + DataSize.ofKibibytes(maxSend / 1024 + 1));
        }
        return new ServerConfig(http, storage, accounts, keys, messages, webSocket, rates, push, cluster, adminToken,
                duration(v, "shutdown.grace"));
    }

    private static Set<InetAddress> trustedProxies(Map<String, String> v) {
        Set<InetAddress> proxies = new LinkedHashSet<>();
        for (String entry : v.get("http.trustedProxies").split(",")) {
            String address = entry.trim();
            if (address.isEmpty()) continue;
            try {
                // Literals only: trusting a host name would trust whatever it resolves to later.
                proxies.add(InetAddress.ofLiteral(address));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("http.trustedProxies must list IP addresses, separated by commas (got '" + address + "')");
            }
        }
        return Set.copyOf(proxies);
    }

    private static ServerConfig.Push push(Map<String, String> v) {
        String contact = v.get("push.contact").trim();
        // RFC 8292 §2.1: the contact is a mailto: or https: URI the push service can use.
        if (!contact.startsWith("mailto:") && !contact.startsWith("https://")) {
            throw new ConfigException("push.contact must be a mailto: or https: URI (got '" + contact + "')");
        }
        Duration ttl = duration(v, "push.ttl");
        if (ttl.toSeconds() > 28 * 24 * 3600) throw new ConfigException("push.ttl must be at most 28d, the longest push services keep a message");
        return new ServerConfig.Push(bool(v, "push.enabled"), contact, ttl,
                enumValue(v, "push.urgency", ServerConfig.Urgency.class), duration(v, "push.coalesceInterval"),
                duration(v, "push.timeout"), intIn(v, "push.maxConcurrency", 1, 1024),
                intIn(v, "push.queueCapacity", 1, 10_000_000), intIn(v, "push.maxAttempts", 1, 20),
                bool(v, "push.allowHttpLoopback"));
    }

    private static ServerConfig.Cluster cluster(Map<String, String> v) {
        String url = v.get("cluster.redisUrl").trim();
        Optional<URI> redis = Optional.empty();
        if (!url.isEmpty()) {
            try {
                URI uri = new URI(url);
                if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme()) || uri.getHost() == null) {
                    throw new ConfigException("cluster.redisUrl must look like redis://host:6379 (got '" + url + "')");
                }
                redis = Optional.of(uri);
            } catch (URISyntaxException e) {
                throw new ConfigException("cluster.redisUrl is not a URL: " + e.getMessage());
            }
        }
        String prefix = v.get("cluster.keyPrefix").trim();
        if (prefix.isEmpty() || prefix.length() > 64 || prefix.chars().anyMatch(Character::isWhitespace)) {
            throw new ConfigException("cluster.keyPrefix must be 1-64 characters without spaces (got '" + prefix + "')");
        }
        String nodeId = v.get("cluster.nodeId").trim();
        if (!nodeId.matches("[A-Za-z0-9._-]{0,64}")) {
            throw new ConfigException("cluster.nodeId may hold only letters, digits, '.', '_' and '-' (got '" + nodeId + "')");
        }
        Duration ttl = duration(v, "cluster.presenceTtl");
        if (ttl.toMillis() < 3000) throw new ConfigException("cluster.presenceTtl must be at least 3s");
        return new ServerConfig.Cluster(redis, prefix, nodeId, ttl, duration(v, "cluster.catchUpInterval"));
    }

    private static boolean bool(Map<String, String> v, String key) {
        return switch (v.get(key).trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigException(key + " must be true or false (got '" + v.get(key) + "')");
        };
    }

    private static ServerConfig.Storage storage(Map<String, String> v) {
        var backend = enumValue(v, "storage.backend", ServerConfig.Storage.Backend.class);
        String url = v.get("storage.postgres.url").trim();
        int poolSize = intIn(v, "storage.postgres.poolSize", 1, 500);
        Optional<ServerConfig.Postgres> postgres = Optional.empty();
        if (backend == ServerConfig.Storage.Backend.POSTGRES) {
            if (url.isEmpty()) {
                throw new ConfigException("storage.backend=postgres needs storage.postgres.url ("
                        + envName("storage.postgres.url") + "), e.g. jdbc:postgresql://db.example:5432/courier");
            }
            // The URL is not echoed: it may carry a password.
            if (!url.startsWith("jdbc:postgresql:")) {
                throw new ConfigException("storage.postgres.url must be a JDBC URL starting with 'jdbc:postgresql://'");
            }
            String password = v.get("storage.postgres.password");
            postgres = Optional.of(new ServerConfig.Postgres(url, v.get("storage.postgres.user").trim(),
                    password.isEmpty() ? Optional.empty() : Optional.of(new Secret(password)), poolSize));
        } else if (!url.isEmpty()) {
            // Most likely a forgotten storage.backend: running on SQLite instead would look like data loss.
            throw new ConfigException("storage.postgres.url is set but storage.backend is '"
                    + backend.name().toLowerCase(Locale.ROOT) + "'; set storage.backend=postgres or remove the URL");
        }
        return new ServerConfig.Storage(backend, Path.of(v.get("storage.dataDir")), postgres);
    }

    private static int intIn(Map<String, String> v, String key, int min, int max) {
        try {
            int n = Integer.parseInt(v.get(key).trim());
            if (n < min || n > max) throw new ConfigException(key + " must be between " + min + " and " + max + " (got " + n + ")");
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " must be a whole number (got '" + v.get(key) + "')");
        }
    }

    private static DataSize size(Map<String, String> v, String key, long min) {
        try {
            DataSize s = DataSize.parse(v.get(key));
            if (s.bytes() < min) throw new ConfigException(key + " must be at least " + min + " bytes");
            return s;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + ": " + e.getMessage());
        }
    }

    private static Duration duration(Map<String, String> v, String key) {
        try {
            Duration d = Durations.parse(v.get(key));
            if (d.isZero()) throw new ConfigException(key + " must be longer than zero");
            return d;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + ": " + e.getMessage());
        }
    }

    private static RateLimit rate(Map<String, String> v, String key) {
        try {
            return RateLimit.parse(v.get(key));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + ": " + e.getMessage());
        }
    }

    private static <E extends Enum<E>> E enumValue(Map<String, String> v, String key, Class<E> type) {
        try {
            return Enum.valueOf(type, v.get(key).trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + " must be one of " + java.util.Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT)
                    + " (got '" + v.get(key) + "')");
        }
    }
}
