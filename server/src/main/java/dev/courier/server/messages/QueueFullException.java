package dev.courier.server.messages;

import dev.courier.server.RateLimitedException;
import java.time.Duration;

/// A recipient device's queue is at its cap. The send is refused whole, never partly queued.
public final class QueueFullException extends RateLimitedException {
    public QueueFullException(int deviceId) {
        super("recipient_queue_full", "device " + deviceId + " of the recipient has too many undelivered messages; retry later",
                Duration.ofMinutes(1));
    }
}
