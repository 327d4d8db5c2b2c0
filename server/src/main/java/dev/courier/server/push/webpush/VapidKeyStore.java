package dev.courier.server.push.webpush;

/// Where the server's VAPID key pair lives. Every node that pushes must sign with the same key,
/// because push services accept for an endpoint only the key it was created for: the embedded
/// server keeps it in its data directory, a cluster in the database all nodes share.
@FunctionalInterface
public interface VapidKeyStore {
    /// The key pair, created on first use. Concurrent first uses agree on one key.
    VapidKeys loadOrCreate();
}
