package dev.courier.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/// Everything the server is configured with, validated once at start-up. See `docs/OPERATIONS.md`
/// for each setting, its default and its environment variable.
public record ServerConfig(Http http, Storage storage, Accounts accounts, Keys keys, Messages messages,
                           WebSocket webSocket, RateLimits rateLimits, Optional<Secret> adminToken,
                           Duration shutdownGrace) {

    public record Http(String host, int port, DataSize maxBodySize) {}

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

    /// The defaults, as an operator gets them with no config file.
    public static ServerConfig defaults() {
        return ConfigLoader.load(Optional.empty(), java.util.Map.of());
    }

    public ServerConfig withPort(int port) {
        return new ServerConfig(new Http(http.host, port, http.maxBodySize), storage, accounts, keys, messages,
                webSocket, rateLimits, adminToken, shutdownGrace);
    }
}
