package dev.courier.server.config;

import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/// Everything the server is configured with, validated once at start-up. See `docs/OPERATIONS.md`
/// for each setting, its default and its environment variable.
public record ServerConfig(Http http, Storage storage, Accounts accounts, Keys keys, Messages messages,
                           WebSocket webSocket, RateLimits rateLimits, Push push, Cluster cluster, Optional<Secret> adminToken,
                           Duration shutdownGrace) {

    /// `trustedProxies`: addresses of reverse proxies whose `X-Forwarded-For` names the client.
    public record Http(String host, int port, DataSize maxBodySize, Set<InetAddress> trustedProxies) {}

    /// Where the server keeps its data. `postgres` is present exactly when the backend is
    /// [Storage.Backend#POSTGRES]; `dataDir` is used only by SQLite.
    public record Storage(Backend backend, Path dataDir, Optional<Postgres> postgres) {
        public enum Backend { SQLITE, POSTGRES }
    }

    /// The PostgreSQL record of truth for cluster mode. An empty `user` leaves it to the URL (or
    /// the driver's default); the password is a [Secret] so that it never reaches a log line.
    public record Postgres(String url, String user, Optional<Secret> password, int poolSize) {}

    public enum RegistrationPolicy { OPEN, TOKEN }

    public record Accounts(int maxDevices, RegistrationPolicy registrationPolicy) {}

    public record Keys(int maxPerUpload, int maxStoredPerDevice) {}

    public record Messages(DataSize maxCiphertextSize, Duration ttl, Duration expiryInterval, int maxQueueDepth) {}

    public record WebSocket(DataSize maxFrameSize, Duration idleTimeout, int deliveryWindow) {}

    public record RateLimits(RateLimit perIp, RateLimit registerPerIp, RateLimit sendPerAccount,
                             RateLimit keyFetchPerAccount) {}

    /// Wake-up pushes. `contact` is the VAPID `sub` claim push services use to reach the operator;
    /// `allowHttpLoopback` admits `http://` endpoints on loopback, for development and tests only.
    public record Push(boolean enabled, String contact, Duration ttl, Urgency urgency, Duration coalesceInterval,
                       Duration timeout, int maxConcurrency, int queueCapacity, int maxAttempts,
                       boolean allowHttpLoopback) {}

    /// Cluster mode: with a Redis URL, presence, cross-node delivery signals and rate limits are
    /// shared through Redis. `keyPrefix` namespaces every key and channel, so several clusters (or
    /// test runs) can share one Redis. `nodeId` names this node's channel; empty picks a random one.
    public record Cluster(Optional<URI> redisUrl, String keyPrefix, String nodeId, Duration presenceTtl,
                          Duration catchUpInterval) {
        public boolean enabled() {
            return redisUrl.isPresent();
        }
    }

    /// RFC 8030 §5.3 urgency of a wake-up.
    public enum Urgency { VERY_LOW, LOW, NORMAL, HIGH;

        public String header() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /// The defaults, as an operator gets them with no config file.
    public static ServerConfig defaults() {
        return ConfigLoader.load(Optional.empty(), java.util.Map.of());
    }

    public ServerConfig withPort(int port) {
        return new ServerConfig(new Http(http.host, port, http.maxBodySize, http.trustedProxies), storage, accounts, keys, messages,
                webSocket, rateLimits, push, cluster, adminToken, shutdownGrace);
    }
}
