package dev.courier.server.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.server.accounts.DeviceAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/// The node-wide batching of acks into deletions: what keeps the acks of many connections to one
/// write per commit.
class AckBatcherTest {
    private final DeviceAddress a = new DeviceAddress(UUID.randomUUID(), 1);
    private final DeviceAddress b = new DeviceAddress(UUID.randomUUID(), 1);
    private final DeviceAddress c = new DeviceAddress(UUID.randomUUID(), 2);

    @Test
    void acksOfSeveralDevicesThatArriveWhileADeletionWaitsGoTogetherIntoTheNextOne() throws Exception {
        List<Map<DeviceAddress, List<UUID>>> deletions = Collections.synchronizedList(new ArrayList<>());
        var firstRunning = new CountDownLatch(1);
        var firstMayFinish = new CountDownLatch(1);
        UUID g1 = UUID.randomUUID(), g2 = UUID.randomUUID(), g3 = UUID.randomUUID(), g4 = UUID.randomUUID(), g5 = UUID.randomUUID();
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            var batcher = new AckBatcher(batch -> {
                deletions.add(new LinkedHashMap<>(batch));
                if (deletions.size() == 1) {
                    firstRunning.countDown();
                    await(firstMayFinish);
                }
            }, executor);

            batcher.add(a, g1);
            assertThat(firstRunning.await(10, TimeUnit.SECONDS)).as("an ack alone is deleted at once").isTrue();
            batcher.add(b, g2);
            batcher.addAll(c, List.of(g3, g4));
            batcher.add(a, g5);
            firstMayFinish.countDown();
        } // closing the executor waits for the flush to finish

        assertThat(deletions).containsExactly(
                Map.of(a, List.of(g1)),
                Map.of(b, List.of(g2), c, List.of(g3, g4), a, List.of(g5)));
    }

    @Test
    void aFailedDeletionIsDroppedAndLaterAcksAreStillDeleted() throws Exception {
        List<Map<DeviceAddress, List<UUID>>> deletions = Collections.synchronizedList(new ArrayList<>());
        var failing = new CountDownLatch(1);
        UUID lost = UUID.randomUUID();
        UUID later = UUID.randomUUID();
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            var batcher = new AckBatcher(batch -> {
                if (batch.get(a).contains(lost)) {
                    failing.countDown();
                    throw new IllegalStateException("disk full");
                }
                deletions.add(new LinkedHashMap<>(batch));
            }, executor);
            batcher.add(a, lost);
            assertThat(failing.await(10, TimeUnit.SECONDS)).isTrue();
            batcher.add(a, later);
        }

        assertThat(deletions).containsExactly(Map.of(a, List.of(later)));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
