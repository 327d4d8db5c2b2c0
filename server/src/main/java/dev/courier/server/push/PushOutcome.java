package dev.courier.server.push;

import java.time.Duration;

/// How one delivery attempt to a push service went.
public sealed interface PushOutcome {
    /// The push service accepted the wake-up.
    record Accepted() implements PushOutcome {}

    /// The subscription no longer exists at the push service (404 or 410): remove it.
    record Gone(int status) implements PushOutcome {}

    /// A transient failure (timeout, connection refused, 429, 5xx): try again, not before `after`
    /// when the service said so (`Retry-After`), else on the dispatcher's backoff.
    record Retry(String reason, Duration after) implements PushOutcome {}

    /// A permanent failure that retrying cannot fix (400, 401, 403, 413, ...).
    record Failed(String reason) implements PushOutcome {}
}
