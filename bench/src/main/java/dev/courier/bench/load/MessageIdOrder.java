package dev.courier.bench.load;

import dev.courier.protocol.MessageIds;
import java.util.UUID;

/// How the generator makes message IDs. Courier's SDK makes time-ordered ones; random ones are
/// what a client that ignores the advice in docs/API.md sends (docs/BENCHMARKS.md compares them).
public enum MessageIdOrder {
    /// UUIDv7, as the SDK makes them.
    TIME {
        @Override
        public UUID next() {
            return MessageIds.next();
        }
    },
    /// UUIDv4.
    RANDOM {
        @Override
        public UUID next() {
            return UUID.randomUUID();
        }
    };

    public abstract UUID next();
}
