package dev.courier.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.courier.protocol.EnvelopeType;
import dev.courier.server.accounts.DeviceAddress;
import dev.courier.server.messages.ExpiryResult;
import dev.courier.server.messages.MessageStore;
import dev.courier.server.messages.MessageStore.StoreResult;
import dev.courier.server.messages.OutgoingBatch;
import dev.courier.server.messages.QueueFullException;
import dev.courier.server.messages.SentMessage;
import dev.courier.server.messages.MismatchedDevicesException;
import dev.courier.server.messages.StoredEnvelope;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/// The behaviour every [MessageStore] promises. A backend's test class extends this and supplies
/// the stores; the tests use only the port interfaces.
///
/// Alice (devices 1 and 2) sends to Bob (devices 1 and 2) unless a test says otherwise.
public abstract class MessageStoreContract extends StoreContract {
    private static final long DAY = 86_400_000L;
    private static final int ROOMY = 1_000;

    private UUID alice;
    private UUID bob;
    private DeviceAddress alice1;
    private DeviceAddress alice2;
    private DeviceAddress bob1;
    private DeviceAddress bob2;

    @BeforeEach
    final void createAccounts() {
        alice = register("alice");
        bob = register("bob");
        alice1 = new DeviceAddress(alice, 1);
        alice2 = addDevice(alice);
        bob1 = new DeviceAddress(bob, 1);
        bob2 = addDevice(bob);
    }

    private MessageStore messages() {
        return stores.messages();
    }

    /// A batch whose ciphertext for device `d` reads "`messageId`/`d`", so every envelope is recognisable.
    private static OutgoingBatch batch(DeviceAddress sender, UUID recipient, UUID messageId, long serverTimestamp,
                                       long expiresAt, int... deviceIds) {
        List<OutgoingBatch.DeviceCiphertext> ciphertexts = new ArrayList<>();
        for (int d : deviceIds) {
            ciphertexts.add(new OutgoingBatch.DeviceCiphertext(d, EnvelopeType.CIPHERTEXT, content(messageId, d)));
        }
        return new OutgoingBatch(sender.accountId(), sender.deviceId(), recipient, messageId, serverTimestamp - 3,
                serverTimestamp, expiresAt, ciphertexts);
    }

    private static byte[] content(UUID messageId, int deviceId) {
        return (messageId + "/" + deviceId).getBytes(StandardCharsets.UTF_8);
    }

    private static String text(StoredEnvelope e) {
        return new String(e.content(), StandardCharsets.UTF_8);
    }

    /// Stores a new message from `sender` to the given devices of `recipient`, due to expire in a day.
    private UUID send(DeviceAddress sender, UUID recipient, int... deviceIds) {
        return sendExpiring(sender, recipient, T0 + DAY, deviceIds);
    }

    private UUID sendExpiring(DeviceAddress sender, UUID recipient, long expiresAt, int... deviceIds) {
        UUID messageId = UUID.randomUUID();
        StoreResult result = messages().store(batch(sender, recipient, messageId, T0, expiresAt, deviceIds), ROOMY);
        assertThat(result.queued()).isTrue();
        return messageId;
    }

    private List<StoredEnvelope> pending(DeviceAddress device) {
        return messages().pending(device, 0, 1_000);
    }

    private List<String> texts(DeviceAddress device) {
        return pending(device).stream().map(MessageStoreContract::text).toList();
    }

    private static String text(UUID messageId, int deviceId) {
        return messageId + "/" + deviceId;
    }

    @Test
    void storeQueuesOneEnvelopePerDeviceAndRecordsTheSend() {
        UUID messageId = UUID.randomUUID();
        var ciphertexts = List.of(
                new OutgoingBatch.DeviceCiphertext(1, EnvelopeType.PREKEY_MESSAGE, content(messageId, 1)),
                new OutgoingBatch.DeviceCiphertext(2, EnvelopeType.CIPHERTEXT, content(messageId, 2)));
        var batch = new OutgoingBatch(alice, 2, bob, messageId, T0 - 5, T0, T0 + DAY, ciphertexts);

        StoreResult result = messages().store(batch, ROOMY);

        assertThat(result.queued()).isTrue();
        assertThat(result.sent()).isEqualTo(new SentMessage(bob, T0));
        assertThat(messages().findSent(alice, messageId)).contains(new SentMessage(bob, T0));
        List<StoredEnvelope> forBob1 = pending(bob1);
        List<StoredEnvelope> forBob2 = pending(bob2);
        assertThat(forBob1).hasSize(1);
        assertThat(forBob2).hasSize(1);
        StoredEnvelope e = forBob1.getFirst();
        assertThat(e.type()).isEqualTo(EnvelopeType.PREKEY_MESSAGE);
        assertThat(e.sourceAccount()).isEqualTo(alice);
        assertThat(e.sourceDevice()).isEqualTo(2);
        assertThat(e.serverTimestamp()).isEqualTo(T0);
        assertThat(e.clientTimestamp()).isEqualTo(T0 - 5);
        assertThat(e.content()).isEqualTo(content(messageId, 1));
        assertThat(forBob2.getFirst().type()).isEqualTo(EnvelopeType.CIPHERTEXT);
        assertThat(forBob2.getFirst().content()).isEqualTo(content(messageId, 2));
        assertThat(e.guid()).isNotEqualTo(forBob2.getFirst().guid());
        // The sender's own queues are untouched.
        assertThat(pending(alice1)).isEmpty();
        assertThat(pending(alice2)).isEmpty();
    }

    @Test
    void findSentIsEmptyForUnknownSends() {
        UUID messageId = send(alice1, bob, 1);

        assertThat(messages().findSent(alice, UUID.randomUUID())).isEmpty();
        assertThat(messages().findSent(bob, messageId)).as("the record belongs to its sender").isEmpty();
    }

    @Test
    void pendingReturnsQueueInOrderAfterCursor() {
        List<UUID> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) sent.add(send(alice1, bob, 1));

        List<StoredEnvelope> all = pending(bob1);
        assertThat(all).extracting(MessageStoreContract::text)
                .containsExactly(sent.stream().map(id -> text(id, 1)).toArray(String[]::new));
        assertThat(all).extracting(StoredEnvelope::seq).isSorted().doesNotHaveDuplicates();

        List<StoredEnvelope> page = messages().pending(bob1, all.get(1).seq(), 2);
        assertThat(page).extracting(MessageStoreContract::text).containsExactly(text(sent.get(2), 1), text(sent.get(3), 1));

        assertThat(messages().pending(bob1, 0, 2)).extracting(StoredEnvelope::guid)
                .containsExactly(all.get(0).guid(), all.get(1).guid());
        assertThat(messages().pending(bob1, all.getLast().seq(), 10)).isEmpty();
        // Reading does not consume: the queue is unchanged.
        assertThat(pending(bob1)).extracting(StoredEnvelope::guid)
                .containsExactlyElementsOf(all.stream().map(StoredEnvelope::guid).toList());
        assertThat(pending(bob2)).as("only device 1 was addressed").isEmpty();
    }

    @Test
    void duplicateMessageIdQueuesNothingTwice() {
        UUID messageId = UUID.randomUUID();
        messages().store(batch(alice1, bob, messageId, T0, T0 + DAY, 1, 2), ROOMY);

        // A retry, possibly with a later clock, gets the first send's record and queues nothing.
        StoreResult retry = messages().store(batch(alice1, bob, messageId, T0 + 500, T0 + DAY, 1, 2), ROOMY);

        assertThat(retry.queued()).isFalse();
        assertThat(retry.sent()).isEqualTo(new SentMessage(bob, T0));
        assertThat(messages().queueDepth(bob1)).isEqualTo(1);
        assertThat(messages().queueDepth(bob2)).isEqualTo(1);
        assertThat(texts(bob1)).containsExactly(text(messageId, 1));
        assertThat(texts(bob2)).containsExactly(text(messageId, 2));
    }

    @Test
    void aRepeatOfAnAcceptedSendGetsTheFirstAnswerOnceItsQueueIsFullOrItsDeviceIsGone() {
        UUID messageId = UUID.randomUUID();
        messages().store(batch(alice1, bob, messageId, T0, T0 + DAY, 1, 2), ROOMY);

        StoreResult whenFull = messages().store(batch(alice1, bob, messageId, T0 + 500, T0 + DAY, 1, 2), 1);
        stores.accounts().removeDevice(bob2);
        StoreResult whenGone = messages().store(batch(alice1, bob, messageId, T0 + 900, T0 + DAY, 1, 2), ROOMY);

        assertThat(List.of(whenFull, whenGone)).allSatisfy(retry -> {
            assertThat(retry.queued()).isFalse();
            assertThat(retry.sent()).isEqualTo(new SentMessage(bob, T0));
        });
        assertThat(texts(bob1)).containsExactly(text(messageId, 1));
    }

    @Test
    void concurrentDuplicatesQueueOnlyOnce() throws Exception {
        UUID messageId = UUID.randomUUID();

        var outcomes = race(12, i -> messages().store(batch(alice1, bob, messageId, T0 + i, T0 + DAY, 1, 2), ROOMY));

        assertThat(outcomes).allSatisfy(o -> assertThat(o.failure()).isNull());
        List<StoreResult> results = outcomes.stream().map(Outcome::value).toList();
        assertThat(results).filteredOn(StoreResult::queued).hasSize(1);
        SentMessage first = results.stream().filter(StoreResult::queued).findFirst().orElseThrow().sent();
        assertThat(results).extracting(StoreResult::sent).containsOnly(first);
        assertThat(messages().queueDepth(bob1)).isEqualTo(1);
        assertThat(messages().queueDepth(bob2)).isEqualTo(1);
        assertThat(pending(bob1)).hasSize(1);
        assertThat(pending(bob2)).hasSize(1);
    }

    @Test
    void messageIdsAreScopedToTheSender() {
        UUID messageId = UUID.randomUUID();
        DeviceAddress carol = new DeviceAddress(register("carol"), 1);
        messages().store(batch(alice1, bob, messageId, T0, T0 + DAY, 1), ROOMY);

        StoreResult fromCarol = messages().store(batch(carol, bob, messageId, T0 + 1, T0 + DAY, 1), ROOMY);

        assertThat(fromCarol.queued()).isTrue();
        assertThat(fromCarol.sent()).isEqualTo(new SentMessage(bob, T0 + 1));
        assertThat(messages().queueDepth(bob1)).isEqualTo(2);
    }

    /// Whether the backend hands envelopes to a [dev.courier.server.messages.CommitFeed] (the
    /// single-writer SQLite one does; a store that cannot promise commit order must not).
    protected abstract boolean feedsCommits();

    @Test
    void aCommitFeedGetsEachQueuedEnvelopeAsPendingReadsItAndNothingOfRefusedOrRepeatedSends() {
        List<DeviceAddress> fedTo = java.util.Collections.synchronizedList(new ArrayList<>());
        List<StoredEnvelope> fed = java.util.Collections.synchronizedList(new ArrayList<>());
        messages().feedCommits((device, envelope) -> {
            fedTo.add(device);
            fed.add(envelope);
            return device.equals(bob1); // as if only bob1 had a live connection
        });
        UUID first = UUID.randomUUID();
        StoreResult result = messages().store(batch(alice1, bob, first, T0, T0 + DAY, 1, 2), 2);
        StoreResult second = messages().store(batch(alice1, bob, UUID.randomUUID(), T0 + 1, T0 + DAY, 1), 2);
        int fedBeforeRefusals = fed.size();
        messages().store(batch(alice1, bob, first, T0 + 2, T0 + DAY, 1, 2), 2);
        catchThrowableOfType(QueueFullException.class,
                () -> messages().store(batch(alice1, bob, UUID.randomUUID(), T0 + 3, T0 + DAY, 1), 2));

        if (!feedsCommits()) {
            assertThat(fed).isEmpty();
            assertThat(result.handedOver()).isEmpty();
            return;
        }
        assertThat(fedTo).containsExactly(bob1, bob2, bob1);
        assertThat(result.handedOver()).containsExactly(bob1);
        assertThat(second.handedOver()).containsExactly(bob1);
        assertThat(fed).as("the repeat and the refused send feed nothing").hasSize(fedBeforeRefusals);
        List<StoredEnvelope> fedToBob1 = List.of(fed.get(0), fed.get(2));
        assertThat(fedToBob1).usingRecursiveFieldByFieldElementComparator().containsExactlyElementsOf(pending(bob1));
        assertThat(List.of(fed.get(1))).usingRecursiveFieldByFieldElementComparator().containsExactlyElementsOf(pending(bob2));
    }

    @Test
    void queueFullRefusesWholeBatch() {
        for (int i = 0; i < 3; i++) messages().store(batch(alice1, bob, UUID.randomUUID(), T0, T0 + DAY, 1), 3);
        UUID messageId = UUID.randomUUID();
        OutgoingBatch toBoth = batch(alice1, bob, messageId, T0, T0 + DAY, 1, 2);

        QueueFullException e = catchThrowableOfType(QueueFullException.class, () -> messages().store(toBoth, 3));

        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo("recipient_queue_full");
        assertThat(e.status()).isEqualTo(429);
        assertThat(messages().queueDepth(bob1)).isEqualTo(3);
        assertThat(messages().queueDepth(bob2)).as("the device with room got nothing either").isZero();
        assertThat(pending(bob2)).isEmpty();
        assertThat(messages().findSent(alice, messageId)).as("a refused send is not recorded").isEmpty();

        // Once there is room, the same send goes through as a first send.
        messages().acknowledge(bob1, pending(bob1).getFirst().guid());
        StoreResult retry = messages().store(toBoth, 3);
        assertThat(retry.queued()).isTrue();
        assertThat(messages().queueDepth(bob1)).isEqualTo(3);
        assertThat(messages().queueDepth(bob2)).isEqualTo(1);
    }

    @Test
    void storeAsyncQueuesAsStoreDoesAndFailsWithWhatStoreWouldThrow() throws Exception {
        UUID messageId = UUID.randomUUID();
        OutgoingBatch toBob1 = batch(alice1, bob, messageId, T0, T0 + DAY, 1);

        StoreResult first = messages().storeAsync(toBob1, 1).get(10, TimeUnit.SECONDS);
        assertThat(first.queued()).isTrue();
        assertThat(first.sent()).isEqualTo(new SentMessage(bob, T0));
        assertThat(pending(bob1)).extracting(MessageStoreContract::text).containsExactly(messageId + "/1");
        assertThat(messages().storeAsync(toBob1, 1).get(10, TimeUnit.SECONDS).queued())
                .as("a repeat is a duplicate, also when asynchronous").isFalse();

        var full = messages().storeAsync(batch(alice1, bob, UUID.randomUUID(), T0, T0 + DAY, 1), 1);
        assertThatThrownBy(() -> full.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(QueueFullException.class);
        assertThat(messages().queueDepth(bob1)).isEqualTo(1);
    }

    @Test
    void queueCapHoldsUnderConcurrentSends() throws Exception {
        var outcomes = race(16, i -> messages().store(batch(alice1, bob, UUID.randomUUID(), T0, T0 + DAY, 1), 5));

        assertThat(outcomes).filteredOn(Outcome::succeeded).hasSize(5);
        assertThat(outcomes).filteredOn(o -> !o.succeeded())
                .allSatisfy(o -> assertThat(o.failure()).isInstanceOf(QueueFullException.class));
        assertThat(messages().queueDepth(bob1)).isEqualTo(5);
        assertThat(pending(bob1)).hasSize(5);
    }

    @Test
    void acknowledgeOnlyDeletesOwnDevicesEnvelope() {
        DeviceAddress carol = new DeviceAddress(register("carol"), 1);
        send(alice1, bob, 1, 2);
        UUID guid = pending(bob1).getFirst().guid();

        assertThat(messages().acknowledge(bob2, guid)).as("another device of the same account").isFalse();
        assertThat(messages().acknowledge(carol, guid)).as("a device of another account").isFalse();
        assertThat(messages().acknowledge(new DeviceAddress(UUID.randomUUID(), 1), guid)).isFalse();
        assertThat(pending(bob1)).extracting(StoredEnvelope::guid).containsExactly(guid);
        assertThat(pending(bob2)).hasSize(1);

        assertThat(messages().acknowledge(bob1, guid)).isTrue();
        assertThat(pending(bob1)).isEmpty();
        assertThat(pending(bob2)).as("device 2's copy is its own").hasSize(1);
        assertThat(messages().acknowledge(bob1, guid)).as("a second ack finds nothing").isFalse();
        assertThat(messages().acknowledge(bob1, UUID.randomUUID())).isFalse();
    }

    @Test
    void batchedAcknowledgeDeletesOnlyTheDevicesOwnEnvelopesAndCountsThem() {
        for (int i = 0; i < 4; i++) send(alice1, bob, 1, 2);
        List<UUID> bob1Guids = pending(bob1).stream().map(StoredEnvelope::guid).toList();
        UUID bob2Guid = pending(bob2).getFirst().guid();
        List<UUID> acked = new ArrayList<>(bob1Guids.subList(0, 3));
        acked.add(bob2Guid);
        acked.add(UUID.randomUUID());
        acked.add(bob1Guids.getFirst());

        assertThat(messages().acknowledge(bob1, acked)).as("three of bob1's, each counted once").isEqualTo(3);
        assertThat(pending(bob1)).extracting(StoredEnvelope::guid).containsExactly(bob1Guids.get(3));
        assertThat(messages().queueDepth(bob1)).isEqualTo(1);
        assertThat(pending(bob2)).as("device 2's copies are its own").hasSize(4);
        assertThat(messages().queueDepth(bob2)).isEqualTo(4);
        assertThat(messages().acknowledge(bob1, acked)).as("acknowledged already").isZero();
        assertThat(messages().acknowledge(bob1, List.of())).isZero();
    }

    @Test
    void acknowledgingForSeveralDevicesAtOnceDeletesEachDevicesOwnEnvelopesOnly() {
        for (int i = 0; i < 3; i++) send(alice1, bob, 1, 2);
        send(bob1, alice, 1, 2);
        List<UUID> bob1Guids = pending(bob1).stream().map(StoredEnvelope::guid).toList();
        List<UUID> bob2Guids = pending(bob2).stream().map(StoredEnvelope::guid).toList();
        UUID alice2Guid = pending(alice2).getFirst().guid();
        Map<DeviceAddress, List<UUID>> acks = new LinkedHashMap<>();
        // bob1 also names one of bob2's envelopes, and alice2 one of bob1's: neither is theirs.
        acks.put(bob1, List.of(bob1Guids.get(0), bob1Guids.get(1), bob2Guids.get(2)));
        acks.put(bob2, List.of(bob2Guids.get(0)));
        acks.put(alice2, List.of(alice2Guid, bob1Guids.get(2)));

        assertThat(messages().acknowledge(acks)).as("two of bob1's, one of bob2's, alice2's one").isEqualTo(4);
        assertThat(pending(bob1)).extracting(StoredEnvelope::guid).containsExactly(bob1Guids.get(2));
        assertThat(pending(bob2)).extracting(StoredEnvelope::guid).containsExactly(bob2Guids.get(1), bob2Guids.get(2));
        assertThat(pending(alice2)).isEmpty();
        assertThat(pending(alice1)).as("alice1 was not acking").hasSize(1);
        assertThat(messages().queueDepth(bob1)).isEqualTo(1);
        assertThat(messages().queueDepth(bob2)).isEqualTo(2);
        assertThat(messages().queueDepth(alice2)).isZero();
        assertThat(messages().acknowledge(acks)).as("acknowledged already").isZero();
        assertThat(messages().acknowledge(Map.of())).isZero();
    }

    @Test
    void queueDepthFollowsStoreAndAck() {
        assertThat(messages().queueDepth(bob1)).isZero();
        assertThat(messages().queueDepth(new DeviceAddress(UUID.randomUUID(), 1))).isZero();

        for (int i = 0; i < 3; i++) send(alice1, bob, 1);
        send(alice1, bob, 1, 2);
        assertThat(messages().queueDepth(bob1)).isEqualTo(4);
        assertThat(messages().queueDepth(bob2)).isEqualTo(1);

        messages().acknowledge(bob1, pending(bob1).get(1).guid());
        assertThat(messages().queueDepth(bob1)).isEqualTo(3);
        // Failed acks change nothing.
        messages().acknowledge(bob1, UUID.randomUUID());
        messages().acknowledge(bob2, pending(bob1).getFirst().guid());
        assertThat(messages().queueDepth(bob1)).isEqualTo(3);
        assertThat(messages().queueDepth(bob2)).isEqualTo(1);

        for (StoredEnvelope e : pending(bob1)) messages().acknowledge(bob1, e.guid());
        assertThat(messages().queueDepth(bob1)).isZero();
    }

    @Test
    void queueDepthFollowsExpiry() {
        sendExpiring(alice1, bob, T0 + 10, 1);
        sendExpiring(alice1, bob, T0 + 10, 1);
        send(alice1, bob, 1);

        messages().expire(T0 + 10, T0 + DAY, 100);

        assertThat(messages().queueDepth(bob1)).isEqualTo(1);
        assertThat(messages().queueDepth(alice1)).as("the expiry notice").isEqualTo(1);
        assertThat(messages().queueDepth(alice1)).isEqualTo(pending(alice1).size());
    }

    @Test
    void expireDeletesDueEnvelopesAndNoticesEverySenderDevice() {
        DeviceAddress alice3 = addDevice(alice);
        DeviceAddress carol = new DeviceAddress(register("carol"), 1);
        long now = T0 + 100;
        UUID m1 = sendExpiring(alice1, bob, now - 50, 1, 2);
        UUID m2 = sendExpiring(alice2, bob, now, 1); // due exactly now: "at or before"
        UUID later = sendExpiring(alice1, bob, now + 1, 1);
        UUID fromCarol = sendExpiring(carol, bob, now - 1, 2);
        // A removed sender device is no longer there to be told.
        stores.accounts().removeDevice(alice3);

        ExpiryResult result = messages().expire(now, now + DAY, 100);

        assertThat(result.expired()).isEqualTo(4);
        assertThat(result.notified()).containsExactlyInAnyOrder(alice1, alice2, carol);
        assertThat(texts(bob1)).containsExactly(text(later, 1));
        assertThat(pending(bob2)).isEmpty();
        assertThat(messages().queueDepth(bob2)).isZero();
        // Every current device of each sender gets one notice naming all of its expired messages.
        for (DeviceAddress device : List.of(alice1, alice2)) {
            List<StoredEnvelope> notices = pending(device);
            assertThat(notices).hasSize(1);
            StoredEnvelope notice = notices.getFirst();
            assertThat(notice.type()).isEqualTo(EnvelopeType.EXPIRY_NOTICE);
            assertThat(notice.expiredMessageIds()).containsExactlyInAnyOrder(m1, m2);
            // A notice comes from the server: no sender, no ciphertext.
            assertThat(notice.sourceAccount()).isNull();
            assertThat(notice.sourceDevice()).isNull();
            assertThat(notice.content()).isNullOrEmpty();
            assertThat(notice.serverTimestamp()).isEqualTo(now);
        }
        assertThat(pending(carol)).singleElement()
                .satisfies(n -> assertThat(n.expiredMessageIds()).containsExactly(fromCarol));
        assertThat(pending(alice1).getFirst().guid()).isNotEqualTo(pending(alice2).getFirst().guid());
    }

    @Test
    void expireDeletesAtMostLimitEnvelopes() {
        for (int i = 0; i < 5; i++) sendExpiring(alice1, bob, T0 + 10, 1);

        ExpiryResult first = messages().expire(T0 + 10, T0 + DAY, 2);
        assertThat(first.expired()).isEqualTo(2);
        assertThat(pending(bob1)).hasSize(3);

        ExpiryResult rest = messages().expire(T0 + 10, T0 + DAY, 100);
        assertThat(rest.expired()).isEqualTo(3);
        assertThat(pending(bob1)).isEmpty();
        assertThat(messages().expire(T0 + 10, T0 + DAY, 100).expired()).isZero();
    }

    @Test
    void expireWithNothingDueChangesNothing() {
        UUID messageId = sendExpiring(alice1, bob, T0 + 10, 1);

        ExpiryResult result = messages().expire(T0 + 9, T0 + DAY, 100);

        assertThat(result.expired()).isZero();
        assertThat(result.notified()).isEmpty();
        assertThat(texts(bob1)).containsExactly(text(messageId, 1));
        assertThat(pending(alice1)).isEmpty();
    }

    @Test
    void expiredNoticeIsNotItselfReported() {
        sendExpiring(alice1, bob, T0 + 10, 1);
        long noticeExpiresAt = T0 + 1_000;
        messages().expire(T0 + 10, noticeExpiresAt, 100);
        assertThat(pending(alice1)).hasSize(1);
        assertThat(pending(alice2)).hasSize(1);

        ExpiryResult result = messages().expire(noticeExpiresAt, noticeExpiresAt + DAY, 100);

        assertThat(result.expired()).isEqualTo(2);
        assertThat(result.notified()).isEmpty();
        for (DeviceAddress d : List.of(alice1, alice2, bob1, bob2)) {
            assertThat(pending(d)).as("queue of %s", d).isEmpty();
            assertThat(messages().queueDepth(d)).isZero();
        }
    }

    @Test
    void purgeSentForgetsOldRecords() {
        UUID old = UUID.randomUUID();
        UUID recent = UUID.randomUUID();
        messages().store(batch(alice1, bob, old, T0, T0 + DAY, 1), ROOMY);
        messages().store(batch(alice1, bob, recent, T0 + 1_000, T0 + DAY, 1), ROOMY);

        assertThat(messages().purgeSent(T0 + 1_000)).isEqualTo(1);

        assertThat(messages().findSent(alice, old)).isEmpty();
        assertThat(messages().findSent(alice, recent)).contains(new SentMessage(bob, T0 + 1_000));
        assertThat(messages().purgeSent(T0 + 1_000)).isZero();
        // Purging forgets only the record: queued envelopes stay.
        assertThat(pending(bob1)).hasSize(2);
        // A forgotten send is no longer a duplicate.
        assertThat(messages().store(batch(alice1, bob, old, T0 + 2_000, T0 + DAY, 1), ROOMY).queued()).isTrue();
        assertThat(messages().store(batch(alice1, bob, recent, T0 + 2_000, T0 + DAY, 1), ROOMY).queued()).isFalse();
    }

    @Test
    void storeToRemovedDeviceIsRefused() {
        stores.accounts().removeDevice(bob2);
        UUID messageId = UUID.randomUUID();

        MismatchedDevicesException e = catchThrowableOfType(MismatchedDevicesException.class,
                () -> messages().store(batch(alice1, bob, messageId, T0, T0 + DAY, 1, 2), ROOMY));

        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo("mismatched_devices");
        assertThat(e.extra()).containsExactly(2);
        assertThat(e.missing()).isEmpty();
        assertThat(pending(bob1)).as("nothing of a refused batch is queued").isEmpty();
        assertThat(messages().queueDepth(bob1)).isZero();
        assertThat(messages().findSent(alice, messageId)).isEmpty();
    }

    @Test
    void sequenceIsNeverReusedAfterDeletingNewest() throws Exception {
        send(alice1, bob, 1);
        send(alice1, bob, 1);
        StoredEnvelope newest = pending(bob1).getLast();

        // A live connection resumes from "after the last seq sent"; a reused seq would be skipped.
        messages().acknowledge(bob1, newest.guid());
        send(alice1, bob, 1);
        StoredEnvelope next = pending(bob1).getLast();
        assertThat(next.seq()).isGreaterThan(newest.seq());

        messages().acknowledge(bob1, next.guid());
        reopen();
        send(alice1, bob, 1);
        assertThat(pending(bob1).getLast().seq()).isGreaterThan(next.seq());
    }

    @Test
    void writesSurviveReopeningTheDatabase() throws Exception {
        UUID first = send(alice1, bob, 1, 2);
        UUID second = send(alice1, bob, 1);
        messages().acknowledge(bob2, pending(bob2).getFirst().guid());
        List<StoredEnvelope> before = pending(bob1);

        reopen();

        List<StoredEnvelope> after = pending(bob1);
        assertThat(after).extracting(MessageStoreContract::text).containsExactly(text(first, 1), text(second, 1));
        assertThat(after).extracting(StoredEnvelope::guid).containsExactly(before.get(0).guid(), before.get(1).guid());
        assertThat(after).extracting(StoredEnvelope::seq).containsExactly(before.get(0).seq(), before.get(1).seq());
        assertThat(pending(bob2)).isEmpty();
        assertThat(messages().queueDepth(bob1)).isEqualTo(2);
        assertThat(messages().queueDepth(bob2)).isZero();
        assertThat(messages().findSent(alice, first)).contains(new SentMessage(bob, T0));
        assertThat(messages().store(batch(alice1, bob, first, T0 + 9, T0 + DAY, 1, 2), ROOMY).queued())
                .as("a retry after a restart is still a duplicate").isFalse();
        assertThat(pending(bob1)).hasSize(2);
    }
}
