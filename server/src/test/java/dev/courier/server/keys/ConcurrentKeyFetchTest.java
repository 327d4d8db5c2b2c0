package dev.courier.server.keys;

import static dev.courier.server.keys.KeyFixtures.addDevice;
import static dev.courier.server.keys.KeyFixtures.assertSameKey;
import static dev.courier.server.keys.KeyFixtures.assertSamePreKey;
import static dev.courier.server.keys.KeyFixtures.count;
import static dev.courier.server.keys.KeyFixtures.deviceKeys;
import static dev.courier.server.keys.KeyFixtures.fetch;
import static dev.courier.server.keys.KeyFixtures.fetchOne;
import static dev.courier.server.keys.KeyFixtures.oneTime;
import static dev.courier.server.keys.KeyFixtures.register;
import static dev.courier.server.keys.KeyFixtures.uploadOk;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.DeviceBundle;
import dev.courier.protocol.KeyCountResponse;
import dev.courier.protocol.PreKey;
import dev.courier.protocol.SignedPreKey;
import dev.courier.server.keys.KeyFixtures.KeyedDevice;
import dev.courier.server.testing.TestClient;
import dev.courier.server.testing.TestKeys;
import dev.courier.server.testing.TestServer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/// Many senders fetching the same recipient at once: every one-time key goes to exactly one of
/// them, and when they run out only the last-resort Kyber key is left to share.
class ConcurrentKeyFetchTest {
    private static final int THREADS = 16;

    private TestServer server;
    private TestClient client;
    private ExecutorService pool;

    @BeforeEach
    void start() {
        server = new TestServer();
        client = new TestClient(server.baseUrl());
        pool = Executors.newFixedThreadPool(THREADS);
    }

    @AfterEach
    void stop() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        server.close();
    }

    @Test
    void concurrentFetchesNeverHandOutAOneTimeKeyTwiceAndHandOutEveryOne() throws Exception {
        var alice = register(client, "alice", 0, 0);
        List<PreKey> ec = TestKeys.preKeys(1, 100);
        List<SignedPreKey> kyber = TestKeys.kyberKeys(1, 100);
        uploadOk(client, alice.device(), oneTime(ec, kyber));
        List<TestClient.Device> senders = senders(THREADS);

        // 16 × 8 = 128 fetches for 100 keys of each kind.
        List<DeviceBundle> bundles = fetchConcurrently(senders, 8,
                sender -> fetchOne(client, sender, alice.device()));

        assertThat(bundles).hasSize(128);
        assertHandedOutExactlyOnce(bundles, alice, ec, kyber);
        assertThat(count(client, alice.device())).isEqualTo(new KeyCountResponse(0, 0));

        // After exhaustion only the last-resort key is served, to everyone, again and again.
        List<DeviceBundle> after = fetchConcurrently(senders, 2, sender -> fetchOne(client, sender, alice.device()));
        assertThat(after).hasSize(32).allSatisfy(b -> {
            assertThat(b.preKey()).isNull();
            assertThat(b.pqLastResort()).isTrue();
            assertSameKey(b.pqPreKey(), alice.keys().pqLastResortPreKey());
        });
    }

    @Test
    void concurrentAccountFetchesSpendEachDevicesKeysExactlyOnce() throws Exception {
        var alice = register(client, "alice", 0, 0);
        var laptop = addDevice(client, alice.device(), deviceKeys(0, 0));
        List<PreKey> phoneEc = TestKeys.preKeys(1, 40);
        List<SignedPreKey> phoneKyber = TestKeys.kyberKeys(1, 40);
        List<PreKey> laptopEc = TestKeys.preKeys(1, 40);
        List<SignedPreKey> laptopKyber = TestKeys.kyberKeys(1, 40);
        uploadOk(client, alice.device(), oneTime(phoneEc, phoneKyber));
        uploadOk(client, laptop.device(), oneTime(laptopEc, laptopKyber));
        List<TestClient.Device> senders = senders(THREADS);

        // 16 × 3 = 48 account fetches, each spending a key of each kind on both devices.
        List<List<DeviceBundle>> responses = fetchConcurrently(senders, 3, sender -> fetch(client, sender, "alice").devices());

        assertThat(responses).hasSize(48).allSatisfy(r ->
                assertThat(r).extracting(DeviceBundle::deviceId).containsExactlyInAnyOrder(1, laptop.device().deviceId()));
        List<DeviceBundle> phone = responses.stream().flatMap(List::stream).filter(b -> b.deviceId() == 1).toList();
        List<DeviceBundle> other = responses.stream().flatMap(List::stream).filter(b -> b.deviceId() != 1).toList();
        assertHandedOutExactlyOnce(phone, alice, phoneEc, phoneKyber);
        assertHandedOutExactlyOnce(other, laptop, laptopEc, laptopKyber);
        assertThat(count(client, alice.device())).isEqualTo(new KeyCountResponse(0, 0));
        assertThat(count(client, laptop.device())).isEqualTo(new KeyCountResponse(0, 0));
    }

    @Test
    void fetchesRacingReplenishmentNeverLoseOrRepeatAKey() throws Exception {
        var alice = register(client, "alice", 0, 0);
        List<PreKey> ec = new ArrayList<>(TestKeys.preKeys(1, 50));
        List<SignedPreKey> kyber = new ArrayList<>(TestKeys.kyberKeys(1, 50));
        uploadOk(client, alice.device(), oneTime(ec, kyber));
        List<List<PreKey>> ecBatches = new ArrayList<>();
        List<List<SignedPreKey>> kyberBatches = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ecBatches.add(TestKeys.preKeys(1000 + 10 * i, 10));
            kyberBatches.add(TestKeys.kyberKeys(1000 + 10 * i, 10));
            ec.addAll(ecBatches.getLast());
            kyber.addAll(kyberBatches.getLast());
        }
        List<TestClient.Device> senders = senders(THREADS - 1);

        CountDownLatch go = new CountDownLatch(1);
        Future<?> uploader = pool.submit(() -> {
            go.await();
            for (int i = 0; i < 5; i++) uploadOk(client, alice.device(), oneTime(ecBatches.get(i), kyberBatches.get(i)));
            return null;
        });
        List<DeviceBundle> bundles = fetchConcurrently(senders, 6, go, sender -> fetchOne(client, sender, alice.device()));
        uploader.get(30, TimeUnit.SECONDS);

        // 90 fetches against 100 keys uploaded in all: every handed-out key is distinct and was
        // uploaded, and handed out plus left over is what was uploaded.
        assertThat(bundles).hasSize(90);
        Map<Integer, PreKey> ecById = ec.stream().collect(Collectors.toMap(PreKey::keyId, Function.identity()));
        Map<Integer, SignedPreKey> kyberById = kyber.stream().collect(Collectors.toMap(SignedPreKey::keyId, Function.identity()));
        List<PreKey> ecOut = bundles.stream().map(DeviceBundle::preKey).filter(k -> k != null).toList();
        List<SignedPreKey> kyberOut = bundles.stream().filter(b -> !b.pqLastResort()).map(DeviceBundle::pqPreKey).toList();
        assertDistinctAndUploaded(ecOut.stream().map(PreKey::keyId).toList(), ecById.keySet());
        assertDistinctAndUploaded(kyberOut.stream().map(SignedPreKey::keyId).toList(), kyberById.keySet());
        ecOut.forEach(k -> assertSamePreKey(k, ecById.get(k.keyId())));
        kyberOut.forEach(k -> assertSameKey(k, kyberById.get(k.keyId())));
        var left = count(client, alice.device());
        assertThat(ecOut.size() + left.preKeys()).isEqualTo(100);
        assertThat(kyberOut.size() + left.pqPreKeys()).isEqualTo(100);
    }

    // --- helpers ------------------------------------------------------------------------------

    private List<TestClient.Device> senders(int n) {
        return IntStream.range(0, n).mapToObj(i -> register(client, "sender" + i, 0, 0).device()).toList();
    }

    private <T> List<T> fetchConcurrently(List<TestClient.Device> senders, int perSender, Function<TestClient.Device, T> fetch)
            throws Exception {
        return fetchConcurrently(senders, perSender, new CountDownLatch(0), fetch);
    }

    /// Each sender fetches `perSender` times on its own thread; all start together when `go` opens.
    private <T> List<T> fetchConcurrently(List<TestClient.Device> senders, int perSender, CountDownLatch go,
                                          Function<TestClient.Device, T> fetch) throws Exception {
        CountDownLatch ready = new CountDownLatch(senders.size());
        ConcurrentLinkedQueue<T> results = new ConcurrentLinkedQueue<>();
        List<Callable<Void>> tasks = new ArrayList<>();
        for (TestClient.Device sender : senders) {
            tasks.add(() -> {
                ready.countDown();
                ready.await();
                go.await();
                for (int i = 0; i < perSender; i++) results.add(fetch.apply(sender));
                return null;
            });
        }
        List<Future<Void>> futures = new ArrayList<>();
        for (Callable<Void> task : tasks) futures.add(pool.submit(task));
        ready.await(10, TimeUnit.SECONDS);
        go.countDown();
        for (Future<Void> f : futures) f.get(60, TimeUnit.SECONDS);
        return new ArrayList<>(results);
    }

    /// `bundles` for one device, fetched when it held `ec` and `kyber`: each key went out once with
    /// its uploaded bytes, all of them went out, and the remaining fetches had only the last-resort key.
    private static void assertHandedOutExactlyOnce(List<DeviceBundle> bundles, KeyedDevice device, List<PreKey> ec,
                                                   List<SignedPreKey> kyber) {
        Map<Integer, PreKey> ecById = ec.stream().collect(Collectors.toMap(PreKey::keyId, Function.identity()));
        Map<Integer, SignedPreKey> kyberById = kyber.stream().collect(Collectors.toMap(SignedPreKey::keyId, Function.identity()));
        List<PreKey> ecOut = bundles.stream().map(DeviceBundle::preKey).filter(k -> k != null).toList();
        List<SignedPreKey> kyberOut = bundles.stream().filter(b -> !b.pqLastResort()).map(DeviceBundle::pqPreKey).toList();

        List<Integer> ecIds = ecOut.stream().map(PreKey::keyId).toList();
        List<Integer> kyberIds = kyberOut.stream().map(SignedPreKey::keyId).toList();
        assertDistinctAndUploaded(ecIds, ecById.keySet());
        assertDistinctAndUploaded(kyberIds, kyberById.keySet());
        assertThat(ecIds).as("every uploaded EC key handed out").hasSameSizeAs(ec);
        assertThat(kyberIds).as("every uploaded Kyber key handed out").hasSameSizeAs(kyber);
        ecOut.forEach(k -> assertSamePreKey(k, ecById.get(k.keyId())));
        kyberOut.forEach(k -> assertSameKey(k, kyberById.get(k.keyId())));

        List<DeviceBundle> lastResort = bundles.stream().filter(DeviceBundle::pqLastResort).toList();
        assertThat(lastResort).hasSize(bundles.size() - kyber.size());
        lastResort.forEach(b -> assertSameKey(b.pqPreKey(), device.keys().pqLastResortPreKey()));
        assertThat(bundles.stream().filter(b -> b.preKey() == null).count()).isEqualTo(bundles.size() - ec.size());
    }

    private static void assertDistinctAndUploaded(Collection<Integer> ids, Set<Integer> uploaded) {
        assertThat(ids).as("one-time key IDs handed out").doesNotHaveDuplicates();
        assertThat(uploaded).containsAll(ids);
    }
}
