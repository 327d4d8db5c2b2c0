package dev.courier.server.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.EnvelopeType;
import dev.courier.protocol.ServerFrame;
import dev.courier.protocol.WireJson;
import dev.courier.server.accounts.DeviceAddress;
import dev.courier.server.accounts.DeviceCredential;
import dev.courier.server.accounts.NewDevice;
import dev.courier.server.messages.OutgoingBatch;
import dev.courier.server.messages.StoredEnvelope;
import dev.courier.server.storage.Storage;
import dev.courier.server.storage.sqlite.SqliteStorage;
import dev.courier.server.testing.TestKeys;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// A session over a real SQLite store, its pump run on the calling thread so that the order of
/// events is the test's. The [Outbound] records the frames the socket would carry.
class DeliverySessionTest {
    private static final long NOW = System.currentTimeMillis();

    @TempDir
    Path dir;
    private Storage storage;
    private DeviceAddress bob;
    private UUID alice;
    private final List<String> frames = new ArrayList<>();

    private final Outbound recording = new Outbound() {
        @Override
        public void send(byte[] utf8, Runnable onFailure) {
            frames.add(new String(utf8, StandardCharsets.UTF_8));
        }

        @Override
        public void flush(Runnable onFailure) {}

        @Override
        public void close(int code, String reason) {}
    };

    @BeforeEach
    void open() {
        storage = SqliteStorage.open(dir, new SimpleMeterRegistry());
        alice = account("alice");
        bob = new DeviceAddress(account("bob"), 1);
    }

    @AfterEach
    void close() {
        storage.close();
    }

    private UUID account(String name) {
        UUID id = UUID.randomUUID();
        storage.accounts().create(id, name, new NewDevice("phone", 1234, DeviceCredential.issue().credential(),
                TestKeys.ecPublicKey(), TestKeys.signedEc(1), TestKeys.kyber(1000)), Optional.empty(), NOW);
        return id;
    }

    private void queue(String text) {
        storage.messages().store(new OutgoingBatch(alice, 1, bob.accountId(), UUID.randomUUID(), NOW, NOW, NOW + 86_400_000L,
                List.of(new OutgoingBatch.DeviceCiphertext(1, EnvelopeType.CIPHERTEXT, text.getBytes(StandardCharsets.UTF_8)))), 100);
    }

    private DeliverySession session(int window) {
        return new DeliverySession(bob, recording, storage.messages(), WireJson.newMapper().writerFor(ServerFrame.class), Runnable::run,
                window, 1 << 20);
    }

    private long delivered() {
        return frames.stream().filter(f -> f.contains("\"type\":\"envelope\"")).count();
    }

    @Test
    void anEnvelopeOfferedAndAlsoReadFromTheStoreIsSentOnce() {
        queue("one");
        queue("two");
        DeliverySession session = session(8);
        // Offered before the first read (an attach racing the commits), then read with the backlog.
        for (StoredEnvelope e : storage.messages().pending(bob, 0, 10)) session.offer(e);
        session.signal();

        assertThat(delivered()).isEqualTo(2);
        assertThat(frames.getLast()).contains("queue_empty");
    }

    @Test
    void offeredEnvelopesAreSentFromMemoryOnceTheBacklogIsRead() {
        DeliverySession session = session(8);
        session.signal();
        assertThat(frames).hasSize(1).allMatch(f -> f.contains("queue_empty"));

        queue("live");
        StoredEnvelope live = storage.messages().pending(bob, 0, 10).getFirst();
        // Gone from the store, still sent: the offer, not a read, is what the pump sent from.
        storage.messages().acknowledge(bob, live.guid());
        session.offer(live);
        session.wake();

        assertThat(delivered()).isEqualTo(1);
        assertThat(frames.getLast()).contains(live.guid().toString());
    }

    @Test
    void offersBeyondTheWindowAreDroppedAndTheStoreIsReadInstead() {
        DeliverySession session = session(2);
        session.signal();
        for (int i = 0; i < 6; i++) queue("m" + i);
        List<StoredEnvelope> queued = storage.messages().pending(bob, 0, 10);
        for (StoredEnvelope e : queued) session.offer(e);
        session.wake();
        assertThat(delivered()).as("a window of 2").isEqualTo(2);

        for (StoredEnvelope e : queued.subList(0, 2)) session.acknowledged(e.guid());
        for (StoredEnvelope e : queued.subList(2, 4)) session.acknowledged(e.guid());
        assertThat(frames.stream().filter(f -> f.contains("\"type\":\"envelope\"")).toList())
                .as("the rest, in order, once")
                .satisfiesExactly(
                        f -> assertThat(f).contains(queued.get(0).guid().toString()),
                        f -> assertThat(f).contains(queued.get(1).guid().toString()),
                        f -> assertThat(f).contains(queued.get(2).guid().toString()),
                        f -> assertThat(f).contains(queued.get(3).guid().toString()),
                        f -> assertThat(f).contains(queued.get(4).guid().toString()),
                        f -> assertThat(f).contains(queued.get(5).guid().toString()));
    }
}
