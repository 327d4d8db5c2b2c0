package dev.courier.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.client.internal.keys.KeyMaintenance;
import dev.courier.protocol.KeyCountResponse;
import dev.courier.protocol.PreKeyBundleResponse;
import dev.courier.server.testing.TestClient;
import dev.courier.server.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// Others spend a device's one-time keys by fetching its bundles; the device tops them up.
class PreKeyReplenishTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private TestServer server;
    private TestClient raw;
    private TestClient.Device fetcher;

    @BeforeEach
    void startServer() {
        server = new TestServer();
        raw = new TestClient(server.baseUrl());
        fetcher = raw.register("fetcher");
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private KeyCountResponse count(TestClient.Device device) {
        var r = raw.get("/v1/keys/count", device);
        assertThat(r.status()).isEqualTo(200);
        return r.as(KeyCountResponse.class);
    }

    /// Fetches `n` bundles of `device`'s account as someone else, spending one key of each kind each time.
    private PreKeyBundleResponse drain(TestClient.Device device, int n) {
        PreKeyBundleResponse last = null;
        for (int i = 0; i < n; i++) {
            var r = raw.get("/v1/keys/" + device.accountId(), fetcher);
            assertThat(r.status()).isEqualTo(200);
            last = r.as(PreKeyBundleResponse.class);
        }
        return last;
    }

    @Test
    void oneTimeEcAndKyberKeysAreReplenishedWhenTheServerRunsLow() {
        try (var bob = Devices.register(dir, server.baseUrl(), "bob")) {
            var bobDevice = Devices.raw(dir.resolve("bob"));
            assertThat(count(bobDevice)).isEqualTo(new KeyCountResponse(KeyMaintenance.BATCH, KeyMaintenance.BATCH));
            assertThat(bob.maintainKeys()).as("nothing to do while the server has plenty").isZero();

            drain(bobDevice, KeyMaintenance.BATCH - KeyMaintenance.LOW_WATER + 1);
            var low = count(bobDevice);
            assertThat(low.preKeys()).isLessThan(KeyMaintenance.LOW_WATER);
            assertThat(low.pqPreKeys()).isLessThan(KeyMaintenance.LOW_WATER);

            assertThat(bob.maintainKeys()).isEqualTo(2 * KeyMaintenance.BATCH);
            var topped = count(bobDevice);
            assertThat(topped.preKeys()).isEqualTo(low.preKeys() + KeyMaintenance.BATCH).isGreaterThan(KeyMaintenance.LOW_WATER);
            assertThat(topped.pqPreKeys()).isEqualTo(low.pqPreKeys() + KeyMaintenance.BATCH).isGreaterThan(KeyMaintenance.LOW_WATER);
            assertThat(bob.maintainKeys()).isZero();

            // Spend the old keys: the next bundle carries new ones, and they work.
            drain(bobDevice, low.preKeys());
            assertThat(count(bobDevice)).isEqualTo(new KeyCountResponse(KeyMaintenance.BATCH, KeyMaintenance.BATCH));
            var bobHears = Recorder.on(bob);
            bob.connect(WAIT);
            try (var carol = Devices.register(dir, server.baseUrl(), "carol")) {
                carol.send("bob", "sent with a replenished one-time key");
                assertThat(bobHears.next().body()).isEqualTo("sent with a replenished one-time key");
            }
            assertThat(bob.undecryptableCount()).isZero();
        }
    }

    @Test
    void connectingTopsUpKeysThatRanLowWhileOffline() {
        var bobDevice = new TestClient.Device[1];
        try (var bob = Devices.register(dir, server.baseUrl(), "bob")) {
            bobDevice[0] = Devices.raw(dir.resolve("bob"));
        }
        drain(bobDevice[0], KeyMaintenance.BATCH - KeyMaintenance.LOW_WATER + 1);
        assertThat(count(bobDevice[0]).preKeys()).isLessThan(KeyMaintenance.LOW_WATER);

        try (var bob = CourierClient.open(dir.resolve("bob"))) {
            assertThat(bob.connect(WAIT)).isTrue();
            Awaitility.await().atMost(WAIT).until(() -> count(bobDevice[0]).preKeys() > KeyMaintenance.LOW_WATER);
            Awaitility.await().atMost(WAIT).until(() -> count(bobDevice[0]).pqPreKeys() > KeyMaintenance.LOW_WATER);
        }
    }

    @Test
    void aDeviceWithNoOneTimeKeysLeftCanStillBeReachedAndTopsUpAfterwards() {
        try (var bob = Devices.register(dir, server.baseUrl(), "bob")) {
            var bobDevice = Devices.raw(dir.resolve("bob"));
            var exhausted = drain(bobDevice, KeyMaintenance.BATCH + 1).devices().getFirst();
            assertThat(exhausted.preKey()).as("no one-time EC key left").isNull();
            assertThat(exhausted.pqLastResort()).as("only the last-resort Kyber key left").isTrue();
            assertThat(count(bobDevice)).isEqualTo(new KeyCountResponse(0, 0));

            var bobHears = Recorder.on(bob);
            try (var carol = Devices.register(dir, server.baseUrl(), "carol")) {
                var sent = carol.send("bob", "through the last-resort key");
                assertThat(carol.awaitStatus(sent.id(), MessageStatus.SENT, WAIT)).isEqualTo(MessageStatus.SENT);
                assertThat(bob.connect(WAIT)).isTrue();
                assertThat(bobHears.next().body()).isEqualTo("through the last-resort key");
            }
            Awaitility.await().atMost(WAIT).until(() -> count(bobDevice).equals(
                    new KeyCountResponse(KeyMaintenance.BATCH, KeyMaintenance.BATCH)));
        }
    }
}
