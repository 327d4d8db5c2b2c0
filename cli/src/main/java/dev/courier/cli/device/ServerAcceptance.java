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
        return await(client, messageId, timeout, false);
    }

    /// Like [#await] for a message just released by `trust`: it may still read UNTRUSTED until it
    /// is sent, because the SDK cannot move UNTRUSTED back to PENDING.
    public static Outcome awaitReleased(CourierClient client, UUID messageId, Duration timeout) {
        return await(client, messageId, timeout, true);
    }

    private static Outcome await(CourierClient client, UUID messageId, Duration timeout, boolean released) {
        URI server = client.whoami().server();
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long nextProbe = start + FIRST_PROBE_AFTER.toNanos();
        while (true) {
            MessageStatus status = client.awaitStatus(messageId, MessageStatus.SENT, Duration.ofMillis(250));
            boolean waiting = status == MessageStatus.PENDING || released && status == MessageStatus.UNTRUSTED;
            if (!waiting) return new Outcome(status, null);
            if (status == MessageStatus.UNTRUSTED) pause(); // awaitStatus returns at once for UNTRUSTED
            long now = System.nanoTime();
            if (now >= deadline) {
                if (status == MessageStatus.UNTRUSTED) return new Outcome(status, "it is still held for a changed safety number");
                return new Outcome(status, "the server at " + server + " did not take it within " + timeout.toSeconds() + " s");
            }
            if (now >= nextProbe) {
                String problem = ServerProbe.problem(server);
                if (problem != null) return new Outcome(status, problem);
                nextProbe = System.nanoTime() + PROBE_EVERY.toNanos();
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
