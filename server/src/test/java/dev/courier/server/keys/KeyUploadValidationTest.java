package dev.courier.server.keys;

import static dev.courier.server.keys.KeyFixtures.addDeviceRaw;
import static dev.courier.server.keys.KeyFixtures.assertSameKey;
import static dev.courier.server.keys.KeyFixtures.b64;
import static dev.courier.server.keys.KeyFixtures.count;
import static dev.courier.server.keys.KeyFixtures.deviceKeys;
import static dev.courier.server.keys.KeyFixtures.fetch;
import static dev.courier.server.keys.KeyFixtures.fetchOne;
import static dev.courier.server.keys.KeyFixtures.oneTime;
import static dev.courier.server.keys.KeyFixtures.register;
import static dev.courier.server.keys.KeyFixtures.registerRaw;
import static dev.courier.server.keys.KeyFixtures.unique;
import static dev.courier.server.keys.KeyFixtures.upload;
import static dev.courier.server.keys.KeyFixtures.uploadOk;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.DeviceBundle;
import dev.courier.protocol.DeviceKeys;
import dev.courier.protocol.KeyCountResponse;
import dev.courier.protocol.PreKey;
import dev.courier.protocol.SignedPreKey;
import dev.courier.protocol.UploadKeysRequest;
import dev.courier.server.keys.KeyFixtures.KeyedDevice;
import dev.courier.server.testing.TestClient;
import dev.courier.server.testing.TestKeys;
import dev.courier.server.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/// What `PUT /v1/keys` refuses, and that a refused upload leaves every key as it was.
class KeyUploadValidationTest {
    private static final int MAX_PER_UPLOAD = 10;
    private static final int MAX_STORED = 20;

    // One server for the class (starting and stopping one takes about a second); every test
    // registers accounts of its own. Tests that need other limits start their own server.
    private static TestServer server;
    private static TestClient client;

    @BeforeAll
    static void start() {
        server = new TestServer(Map.of("keys.maxPerUpload", Integer.toString(MAX_PER_UPLOAD),
                "keys.maxStoredPerDevice", Integer.toString(MAX_STORED)));
        client = new TestClient(server.baseUrl());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    // --- malformed keys -----------------------------------------------------------------------

    /// One broken key, mixed into an otherwise valid upload that also rotates both signed keys.
    record Broken(SignedPreKey signed, SignedPreKey lastResort, PreKey ec, SignedPreKey kyber) {
        UploadKeysRequest request() {
            List<PreKey> ecs = new ArrayList<>(TestKeys.preKeys(100, 3));
            if (ec != null) ecs.add(ec);
            List<SignedPreKey> kybers = new ArrayList<>(TestKeys.kyberKeys(100, 3));
            if (kyber != null) kybers.add(kyber);
            return new UploadKeysRequest(signed != null ? signed : TestKeys.signedEc(50),
                    lastResort != null ? lastResort : TestKeys.kyber(950), ecs, kybers);
        }
    }

    private static byte[] key(int length, int type) {
        byte[] k = TestKeys.random(length);
        if (length > 0) k[0] = (byte) type;
        return k;
    }

    private static Arguments brokenEc(String name, byte[] publicKey) {
        return Arguments.of(Named.of(name, new Broken(null, null, new PreKey(200, publicKey), null)));
    }

    private static Arguments brokenKyber(String name, byte[] publicKey, byte[] signature) {
        return Arguments.of(Named.of(name, new Broken(null, null, null, new SignedPreKey(200, publicKey, signature))));
    }

    private static Arguments brokenSigned(String name, byte[] publicKey, byte[] signature) {
        return Arguments.of(Named.of(name, new Broken(new SignedPreKey(60, publicKey, signature), null, null, null)));
    }

    private static Arguments brokenLastResort(String name, byte[] publicKey, byte[] signature) {
        return Arguments.of(Named.of(name, new Broken(null, new SignedPreKey(960, publicKey, signature), null, null)));
    }

    static Stream<Arguments> malformedKeys() {
        byte[] sig = TestKeys.signature();
        return Stream.of(
                brokenEc("one-time EC key with the Kyber type byte", key(33, 0x08)),
                brokenEc("one-time EC key with type byte 0x00", key(33, 0x00)),
                brokenEc("one-time EC key of 32 bytes", key(32, 0x05)),
                brokenEc("one-time EC key of 34 bytes", key(34, 0x05)),
                brokenEc("one-time EC key that is empty", new byte[0]),
                brokenEc("one-time EC key without bytes", null),
                brokenKyber("one-time Kyber key with the EC type byte", key(1569, 0x05), sig),
                brokenKyber("one-time Kyber key of 1568 bytes", key(1568, 0x08), sig),
                brokenKyber("one-time Kyber key of 1570 bytes", key(1570, 0x08), sig),
                brokenKyber("an EC key as one-time Kyber key", key(33, 0x05), sig),
                brokenKyber("one-time Kyber key with a 63-byte signature", key(1569, 0x08), TestKeys.random(63)),
                brokenKyber("one-time Kyber key with a 65-byte signature", key(1569, 0x08), TestKeys.random(65)),
                brokenKyber("one-time Kyber key without signature", key(1569, 0x08), null),
                brokenSigned("signed pre-key with the Kyber type byte", key(33, 0x08), sig),
                brokenSigned("signed pre-key of 32 bytes", key(32, 0x05), sig),
                brokenSigned("a Kyber key as signed pre-key", key(1569, 0x08), sig),
                brokenSigned("signed pre-key with a 63-byte signature", key(33, 0x05), TestKeys.random(63)),
                brokenSigned("signed pre-key with an empty signature", key(33, 0x05), new byte[0]),
                brokenLastResort("an EC key as last-resort Kyber key", key(33, 0x05), sig),
                brokenLastResort("last-resort Kyber key with the EC type byte", key(1569, 0x05), sig),
                brokenLastResort("last-resort Kyber key of 1568 bytes", key(1568, 0x08), sig),
                brokenLastResort("last-resort Kyber key with a 65-byte signature", key(1569, 0x08), TestKeys.random(65)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedKeys")
    void malformedKeyIsRefusedAsInvalidKeyAndNothingOfTheUploadIsStored(Broken broken) {
        var alice = register(client, unique("alice"), 0, 0);
        var bob = register(client, unique("bob"), 0, 0);

        var r = upload(client, alice.device(), broken.request());

        assertThat(r.status()).as("answer %s", r.body()).isEqualTo(400);
        assertThat(r.code()).isEqualTo("invalid_key");
        assertNothingChanged(alice, bob);
    }

    static Stream<Arguments> keyIdsOutOfRange() {
        return Stream.of(-1, 0x1000000, Integer.MIN_VALUE, Integer.MAX_VALUE).flatMap(id -> Stream.of(
                Arguments.of(Named.of("one-time EC key id " + id, new Broken(null, null, new PreKey(id, TestKeys.ecPublicKey()), null))),
                Arguments.of(Named.of("one-time Kyber key id " + id, new Broken(null, null, null, TestKeys.kyber(id)))),
                Arguments.of(Named.of("signed pre-key id " + id, new Broken(TestKeys.signedEc(id), null, null, null))),
                Arguments.of(Named.of("last-resort key id " + id, new Broken(null, TestKeys.kyber(id), null, null)))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keyIdsOutOfRange")
    void keyIdOutsideTwentyFourBitsIsRefusedAndNothingOfTheUploadIsStored(Broken broken) {
        var alice = register(client, unique("alice"), 0, 0);
        var bob = register(client, unique("bob"), 0, 0);

        var r = upload(client, alice.device(), broken.request());

        assertThat(r.status()).as("answer %s", r.body()).isEqualTo(400);
        assertNothingChanged(alice, bob);
    }

    @Test
    void keyIdBeyondThirtyTwoBitsIsRefused() {
        var alice = register(client, unique("alice"), 0, 0);

        String body = "{\"preKeys\":[{\"keyId\":4294967297,\"publicKey\":\"" + b64(TestKeys.ecPublicKey()) + "\"}]}";
        var r = upload(client, alice.device(), body);

        assertThat(r.status()).isEqualTo(400);
        assertThat(count(client, alice.device())).isEqualTo(new KeyCountResponse(0, 0));
    }

    @Test
    void registrationWithAMalformedKeyIsRefusedAndCreatesNoAccount() {
        String name = unique("alice");
        DeviceKeys good = deviceKeys(2, 2);
        DeviceKeys badLastResort = new DeviceKeys(good.identityKey(), good.signedPreKey(),
                new SignedPreKey(900, key(33, 0x05), TestKeys.signature()), good.preKeys(), good.pqPreKeys());

        var r = registerRaw(client, name, badLastResort);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.code()).isEqualTo("invalid_key");

        DeviceKeys badIdentity = new DeviceKeys(key(33, 0x08), good.signedPreKey(), good.pqLastResortPreKey(),
                good.preKeys(), good.pqPreKeys());
        var r2 = registerRaw(client, name, badIdentity);
        assertThat(r2.status()).isEqualTo(400);
        assertThat(r2.code()).isEqualTo("invalid_key");

        // The name is still free.
        assertThat(registerRaw(client, name, good).status()).isEqualTo(200);
    }

    // --- batch size ---------------------------------------------------------------------------

    @Test
    void moreThanMaxPerUploadInOneUploadIsPayloadTooLarge() {
        var alice = register(client, unique("alice"), 0, 0);
        var bob = register(client, unique("bob"), 0, 0);

        var tooManyEc = upload(client, alice.device(), new UploadKeysRequest(TestKeys.signedEc(50), null,
                TestKeys.preKeys(1, MAX_PER_UPLOAD + 1), TestKeys.kyberKeys(1, 5)));
        assertThat(tooManyEc.status()).isEqualTo(413);
        assertThat(tooManyEc.code()).isEqualTo("payload_too_large");

        var tooManyKyber = upload(client, alice.device(), new UploadKeysRequest(null, TestKeys.kyber(950),
                TestKeys.preKeys(1, 5), TestKeys.kyberKeys(1, MAX_PER_UPLOAD + 1)));
        assertThat(tooManyKyber.status()).isEqualTo(413);
        assertThat(tooManyKyber.code()).isEqualTo("payload_too_large");

        assertNothingChanged(alice, bob);

        // Exactly the limit is fine.
        uploadOk(client, alice.device(), oneTime(TestKeys.preKeys(1, MAX_PER_UPLOAD), TestKeys.kyberKeys(1, MAX_PER_UPLOAD)));
        assertThat(count(client, alice.device())).isEqualTo(new KeyCountResponse(MAX_PER_UPLOAD, MAX_PER_UPLOAD));
    }

    @Test
    void registrationWithMoreThanMaxPerUploadIsPayloadTooLargeAndCreatesNoAccount() {
        String name = unique("alice");

        var r = registerRaw(client, name, deviceKeys(1, MAX_PER_UPLOAD + 1));
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.code()).isEqualTo("payload_too_large");

        var alice = register(client, name, MAX_PER_UPLOAD, MAX_PER_UPLOAD);
        assertThat(count(client, alice.device())).isEqualTo(new KeyCountResponse(MAX_PER_UPLOAD, MAX_PER_UPLOAD));
    }

    // --- stored total -------------------------------------------------------------------------

    /// Stores 15 of each kind (IDs 1-15) in two uploads.
    private static void storeFifteen(KeyedDevice device, boolean kyberToo) {
        uploadOk(client, device.device(), oneTime(TestKeys.preKeys(1, 10), kyberToo ? TestKeys.kyberKeys(1, 10) : null));
        uploadOk(client, device.device(), oneTime(TestKeys.preKeys(11, 5), kyberToo ? TestKeys.kyberKeys(11, 5) : null));
    }

    @Test
    void exceedingMaxStoredPerDeviceIsTooManyKeysAndStoresNothingOfThatUpload() {
        var alice = register(client, unique("alice"), 0, 0);
        storeFifteen(alice, true);

        var ec = upload(client, alice.device(), oneTime(TestKeys.preKeys(100, 6), null));
        assertThat(ec.status()).isEqualTo(400);
        assertThat(ec.code()).isEqualTo("too_many_keys");
        assertThat(count(client, alice.device())).isEqualTo(new KeyCountResponse(15, 15));

        var kyber = upload(client, alice.device(), oneTime(null, TestKeys.kyberKeys(100, 6)));
        assertThat(kyber.status()).isEqualTo(400);
        assertThat(kyber.code()).isEqualTo("too_many_keys");
        assertThat(count(client, alice.device())).isEqualTo(new KeyCountResponse(15, 15));

        // Filling up to exactly the limit is allowed.
        uploadOk(client, alice.device(), oneTime(TestKeys.preKeys(100, 5), TestKeys.kyberKeys(100, 5)));
        assertThat(count(client, alice.device())).isEqualTo(new KeyCountResponse(MAX_STORED, MAX_STORED));
    }

    @Test
    void replacingKeysOfADeviceAtTheStoredLimitIsAllowed() {
        var alice = register(client, unique("alice"), 0, 0);
        var bob = register(client, unique("bob"), 0, 0);
        storeFifteen(alice, true);
        uploadOk(client, alice.device(), oneTime(TestKeys.preKeys(16, 5), TestKeys.kyberKeys(16, 5)));

        List<PreKey> replacement = TestKeys.preKeys(1, 10);
        uploadOk(client, alice.device(), oneTime(replacement, TestKeys.kyberKeys(1, 10)));

        assertThat(count(client, alice.device())).isEqualTo(new KeyCountResponse(MAX_STORED, MAX_STORED));
        assertThat(fetchOne(client, bob.device(), alice.device()).preKey().publicKey()).isEqualTo(replacement.getFirst().publicKey());
    }

    @Test
    void kyberOverflowAlsoDiscardsTheEcKeysOfTheSameUpload() {
        var alice = register(client, unique("alice"), 0, 0);
        storeFifteen(alice, true);

        // The EC keys alone would fit (18 of 20); the Kyber keys would not (21 of 20).
        var r = upload(client, alice.device(), oneTime(TestKeys.preKeys(100, 3), TestKeys.kyberKeys(100, 6)));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.code()).isEqualTo("too_many_keys");
        assertThat(count(client, alice.device())).isEqualTo(new KeyCountResponse(15, 15));
    }

    @Test
    void overflowAlsoDiscardsTheKeyRotationOfTheSameUpload() {
        var alice = register(client, unique("alice"), 0, 0);
        var bob = register(client, unique("bob"), 0, 0);
        storeFifteen(alice, false);

        var r = upload(client, alice.device(), new UploadKeysRequest(TestKeys.signedEc(50), TestKeys.kyber(950),
                TestKeys.preKeys(100, 6), null));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.code()).isEqualTo("too_many_keys");
        assertThat(count(client, alice.device())).isEqualTo(new KeyCountResponse(15, 0));
        DeviceBundle b = fetchOne(client, bob.device(), alice.device());
        assertSameKey(b.signedPreKey(), alice.keys().signedPreKey());
        assertSameKey(b.pqPreKey(), alice.keys().pqLastResortPreKey());
    }

    /// A server whose per-upload limit is above its stored limit, so that a new device's first
    /// batch alone can overflow.
    private static TestServer smallStoreServer() {
        return new TestServer(Map.of("keys.maxPerUpload", "10", "keys.maxStoredPerDevice", "5"));
    }

    @Test
    void registrationOverTheStoredLimitIsTooManyKeysAndCreatesNoAccount() {
        try (var small = smallStoreServer()) {
            var c = new TestClient(small.baseUrl());

            var r = registerRaw(c, "alice", deviceKeys(8, 2));
            assertThat(r.status()).as("answer %s", r.body()).isEqualTo(400);
            assertThat(r.code()).isEqualTo("too_many_keys");

            // Nothing of the refused registration remains: the name is still free.
            var again = registerRaw(c, "alice", deviceKeys(5, 5));
            assertThat(again.status()).as("second registration %s", again.body()).isEqualTo(200);
        }
    }

    @Test
    void addingADeviceOverTheStoredLimitIsTooManyKeysAndAddsNoDevice() {
        try (var small = smallStoreServer()) {
            var c = new TestClient(small.baseUrl());
            var alice = register(c, "alice", 5, 5);
            var bob = register(c, "bob", 0, 0);

            var r = addDeviceRaw(c, alice.device(), deviceKeys(2, 8));
            assertThat(r.status()).as("answer %s", r.body()).isEqualTo(400);
            assertThat(r.code()).isEqualTo("too_many_keys");

            // No device without a credential is left behind for senders to encrypt to.
            assertThat(c.get("/v1/devices", alice.device()).body().get("devices").size()).isEqualTo(1);
            assertThat(fetch(c, bob.device(), "alice").devices()).extracting(DeviceBundle::deviceId).containsExactly(1);
        }
    }

    // --- empty and malformed bodies -----------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"{}", "null", "{\"signedPreKey\":null,\"pqLastResortPreKey\":null,\"preKeys\":null,\"pqPreKeys\":null}",
            "{\"unrelated\":1}"})
    void uploadNamingNoKeysIsRefused(String body) {
        var alice = register(client, unique("alice"), 0, 0);
        var bob = register(client, unique("bob"), 0, 0);

        var r = upload(client, alice.device(), body);

        assertThat(r.status()).as("answer %s", r.body()).isEqualTo(400);
        assertThat(r.code()).isNotNull();
        assertNothingChanged(alice, bob);
    }

    @Test
    void uploadWithOnlyEmptyListsIsRefused() {
        var alice = register(client, unique("alice"), 2, 2);

        var r = upload(client, alice.device(), "{\"preKeys\":[],\"pqPreKeys\":[]}");

        assertThat(r.status()).as("answer %s", r.body()).isEqualTo(400);
        assertThat(count(client, alice.device())).isEqualTo(new KeyCountResponse(2, 2));
    }

    @Test
    void uploadWithoutBodyIsInvalidJson() {
        var alice = register(client, unique("alice"), 2, 2);

        var r = upload(client, alice.device(), "");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.code()).isEqualTo("invalid_json");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "{\"preKeys\": [",
            "not json",
            "{\"preKeys\":[]} {}",
            "{\"preKeys\":\"many\"}",
            "{\"preKeys\":[{\"keyId\":\"1\",\"publicKey\":\"BQ==\"}]}",
            "{\"preKeys\":[{\"keyId\":1,\"publicKey\":\"%%% not base64 %%%\"}]}",
            "{\"preKeys\":[{\"keyId\":null,\"publicKey\":\"BQ==\"}]}",
            "[]"})
    void malformedJsonIsInvalidJson(String body) {
        var alice = register(client, unique("alice"), 2, 2);

        var r = upload(client, alice.device(), body);

        assertThat(r.status()).as("answer %s", r.body()).isEqualTo(400);
        assertThat(r.code()).isEqualTo("invalid_json");
        assertThat(count(client, alice.device())).isEqualTo(new KeyCountResponse(2, 2));
    }

    // --- helpers ------------------------------------------------------------------------------

    /// The refused upload left `device`'s one-time keys and signed keys as they were.
    private void assertNothingChanged(KeyedDevice device, KeyedDevice observer) {
        var before = device.keys();
        int ec = before.preKeys() == null ? 0 : before.preKeys().size();
        int kyber = before.pqPreKeys() == null ? 0 : before.pqPreKeys().size();
        assertThat(count(client, device.device())).isEqualTo(new KeyCountResponse(ec, kyber));
        if (ec == 0 && kyber == 0) {
            DeviceBundle b = fetchOne(client, observer.device(), device.device());
            assertSameKey(b.signedPreKey(), before.signedPreKey());
            assertSameKey(b.pqPreKey(), before.pqLastResortPreKey());
            assertThat(b.preKey()).isNull();
        }
    }
}
