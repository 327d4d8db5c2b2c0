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

    public record Storage(String backend, Path dataDir) {}

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
