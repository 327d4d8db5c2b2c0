package dev.courier.server.push;

/// One way of delivering a wake-up to a push service: Web Push today; FCM or APNs could follow.
///
/// A provider makes one attempt and says how it went. Queueing, concurrency, retries, coalescing
/// and pruning are the [PushDispatcher]'s, so each provider stays a thin protocol adapter.
public interface PushProvider {
    /// The [Subscription#kind()] this provider delivers to.
    String kind();

    /// Sends one content-free wake-up. Runs on a dispatcher worker; may block up to the configured
    /// timeout but must not throw for network failures: it reports them as an outcome.
    PushOutcome deliver(Subscription subscription);
}
