package dev.courier.cli.device;

import dev.courier.client.CourierClient;
import java.time.Duration;

/// Gives the SDK's outbox a moment to empty before the CLI exits. Receiving a message queues a
/// delivery receipt, reading queues a read receipt; closing at once would leave them for the
/// next run, and the sender would see ✓ instead of ✓✓ until then.
public final class Outbox {
    /// Stop waiting when nothing left the outbox for this long: what remains is held for a changed
    /// safety number, or backing off from an unreachable server, and will not go now.
    private static final Duration STALL = Duration.ofMillis(1500);

    private Outbox() {}

    /// Waits until the outbox is empty, it stops shrinking, or `max` has passed. Returns what is left.
    public static int drain(CourierClient client, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        int left = client.pendingOutgoing();
        long lastProgress = System.nanoTime();
        while (left > 0 && System.nanoTime() < deadline && System.nanoTime() - lastProgress < STALL.toNanos()) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            int now = client.pendingOutgoing();
            if (now < left) lastProgress = System.nanoTime();
            left = now;
        }
        return left;
    }
}
