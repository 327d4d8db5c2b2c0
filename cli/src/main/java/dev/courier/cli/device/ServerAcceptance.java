package dev.courier.cli.device;

import dev.courier.client.CourierClient;
import dev.courier.client.MessageStatus;
import java.net.URI;
import java.time.Duration;
import java.util.UUID;

/// Waits for the server's `200` for a message in the outbox (status SENT), but stops early when
/// the server is plainly down: the SDK keeps retrying quietly, and the user should hear at once
/// that the message waits in the outbox rather than watch a timeout run out.
public final class ServerAcceptance {
    /// Give the outbox worker this long before asking whether the server is there at all.
    private static final Duration FIRST_PROBE_AFTER = Duration.ofMillis(500);
    private static final Duration PROBE_EVERY = Duration.ofSeconds(1);

    /// How far the message got, and, while still PENDING, why.
    public record Outcome(MessageStatus status, String problem) {
        public boolean accepted() {
            return status == MessageStatus.SENT || status == MessageStatus.DELIVERED || status == MessageStatus.READ
                    || status == MessageStatus.EXPIRED;
        }
    }

    private ServerAcceptance() {}

    public static Outcome await(CourierClient client, UUID messageId, Duration timeout) {
        URI server = client.whoami().server();
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long nextProbe = start + FIRST_PROBE_AFTER.toNanos();
        while (true) {
            MessageStatus status = client.awaitStatus(messageId, MessageStatus.SENT, Duration.ofMillis(250));
            if (status != MessageStatus.PENDING) return new Outcome(status, null);
            long now = System.nanoTime();
            if (now >= deadline) {
                return new Outcome(status, "the server at " + server + " did not take it within " + timeout.toSeconds() + " s");
            }
            if (now >= nextProbe) {
                String problem = ServerProbe.problem(server);
                if (problem != null) return new Outcome(status, problem);
                nextProbe = System.nanoTime() + PROBE_EVERY.toNanos();
            }
        }
    }
}
