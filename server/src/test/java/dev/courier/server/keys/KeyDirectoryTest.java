package dev.courier.server.keys;

import static dev.courier.server.keys.KeyFixtures.addDevice;
import static dev.courier.server.keys.KeyFixtures.assertSameKey;
import static dev.courier.server.keys.KeyFixtures.assertSamePreKey;
import static dev.courier.server.keys.KeyFixtures.b64;
import static dev.courier.server.keys.KeyFixtures.count;
import static dev.courier.server.keys.KeyFixtures.deviceKeys;
import static dev.courier.server.keys.KeyFixtures.fetch;
import static dev.courier.server.keys.KeyFixtures.fetchOne;
import static dev.courier.server.keys.KeyFixtures.fetchRaw;
import static dev.courier.server.keys.KeyFixtures.oneTime;
import static dev.courier.server.keys.KeyFixtures.register;
import static dev.courier.server.keys.KeyFixtures.unique;
import static dev.courier.server.keys.KeyFixtures.upload;
import static dev.courier.server.keys.KeyFixtures.uploadOk;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.DeviceBundle;
import dev.courier.protocol.KeyCountResponse;
import dev.courier.protocol.PreKey;
import dev.courier.protocol.PreKeyBundleResponse;
import dev.courier.protocol.SignedPreKey;
import dev.courier.protocol.UploadKeysRequest;
import dev.courier.server.testing.TestClient;
import dev.courier.server.testing.TestKeys;
import dev.courier.server.testing.TestServer;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/// The key directory over HTTP: publishing keys at registration and with `PUT /v1/keys`, counting
/// them, and fetching PQXDH bundles that spend one one-time key of each kind.
class KeyDirectoryTest {
    // One server for the class (starting and stopping one takes about a second); every test
    // registers accounts of its own, so tests see only their own keys.
    private static TestServer server;
    private static TestClient client;

    @BeforeAll
    static void start() {
        server = new TestServer();
        client = new TestClient(server.baseUrl());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    // --- registration -------------------------------------------------------------------------

    @Test
    void registrationPublishesIdentitySignedPreKeyLastResortKeyAndFirstBatches() {
        var alice = register(client, unique("alice"), 5, 3);
        var bob = register(client, unique("bob"), 0, 0);

        assertThat(count(client, alice.device())).isEqualTo(new KeyCountResponse(5, 3));

        var response = fetch(client, bob.device(), alice.device().username());
        assertThat(response.accountId()).isEqualTo(alice.device().accountId());
        assertThat(response.username()).isEqualTo(alice.device().username());
        assertThat(response.devices()).hasSize(1);
        DeviceBundle b = response.devices().getFirst();
        assertThat(b.deviceId()).isEqualTo(1);
        assertThat(b.registrationId()).isEqualTo(alice.device().registrationId());
        assertThat(b.identityKey()).isEqualTo(alice.keys().identityKey());
        assertSameKey(b.signedPreKey(), alice.keys().signedPreKey());
        assertSamePreKey(b.preKey(), alice.keys().preKeys().getFirst());
        assertSameKey(b.pqPreKey(), alice.keys().pqPreKeys().getFirst());
        assertThat(b.pqLastResort()).isFalse();
    }

    @Test
    void registrationWithoutFirstBatchesHasNoOneTimeKeysAndServesTheLastResortKey() {
        var alice = register(client, unique("alice"), 0, 0);
        var bob = register(client, unique("bob"), 0, 0);

        assertThat(count(client, alice.device())).isEqualTo(new KeyCountResponse(0, 0));
        DeviceBundle b = fetchOne(client, bob.device(), alice.device());
        assertThat(b.identityKey()).isEqualTo(alice.keys().identityKey());
        assertSameKey(b.signedPreKey(), alice.keys().signedPreKey());
        assertThat(b.preKey()).isNull();
        assertSameKey(b.pqPreKey(), alice.keys().pqLastResortPreKey());
        assertThat(b.pqLastResort()).isTrue();
    }

    @Test
    void addedDevicePublishesItsOwnKeysAndCountsThemSeparately() {
        var alice = register(client, unique("alice"), 5, 5);
        var laptop = addDevice(client, alice.device(), deviceKeys(2, 4));

        assertThat(count(client, alice.device())).isEqualTo(new KeyCountResponse(5, 5));
        assertThat(count(client, laptop.device())).isEqualTo(new KeyCountResponse(2, 4));
    }

    // --- uploads ------------------------------------------------------------------------------

    @Test
    void uploadingBatchesOfOneTimeKeysGrowsTheCount() {
        var alice = register(client, unique("alice"), 5, 5);

        uploadOk(client, alice.device(), oneTime(TestKeys.preKeys(100, 20), TestKeys.kyberKeys(100, 10)));
        assertThat(count(client, alice.device())).isEqualTo(new KeyCountResponse(25, 15));

        uploadOk(client, alice.device(), oneTime(TestKeys.preKeys(200, 7), null));
        assertThat(count(client, alice.device())).isEqualTo(new KeyCountResponse(32, 15));

        uploadOk(client, alice.device(), oneTime(null, TestKeys.kyberKeys(200, 3)));
        assertThat(count(client, alice.device())).isEqualTo(new KeyCountResponse(32, 18));
    }

    @Test
    void reuploadingAKeyIdReplacesTheStoredKeyInsteadOfAddingOne() {
        var alice = register(client, unique("alice"), 0, 0);
        var bob = register(client, unique("bob"), 0, 0);
        uploadOk(client, alice.device(), oneTime(TestKeys.preKeys(1, 10), TestKeys.kyberKeys(1, 10)));

        List<PreKey> newEc = TestKeys.preKeys(1, 10);
        List<SignedPreKey> newKyber = TestKeys.kyberKeys(1, 10);
        uploadOk(client, alice.device(), oneTime(newEc, newKyber));

        assertThat(count(client, alice.device())).isEqualTo(new KeyCountResponse(10, 10));
        // The lowest ID is served first, and it carries the replacement's bytes.
        DeviceBundle b = fetchOne(client, bob.device(), alice.device());
        assertSamePreKey(b.preKey(), newEc.getFirst());
        assertSameKey(b.pqPreKey(), newKyber.getFirst());
    }

    @Test
    void keyIdsAtTheEdgesOfTheTwentyFourBitRangeAreAccepted() {
        var alice = register(client, unique("alice"), 0, 0);
        var bob = register(client, unique("bob"), 0, 0);
        var ec = List.of(new PreKey(0, TestKeys.ecPublicKey()), new PreKey(0xFFFFFF, TestKeys.ecPublicKey()));
        var kyber = List.of(new SignedPreKey(0, TestKeys.kyberPublicKey(), TestKeys.signature()),
                new SignedPreKey(0xFFFFFF, TestKeys.kyberPublicKey(), TestKeys.signature()));
        var signed = new SignedPreKey(0xFFFFFF, TestKeys.ecPublicKey(), TestKeys.signature());

        uploadOk(client, alice.device(), new UploadKeysRequest(signed, null, ec, kyber));

        assertThat(count(client, alice.device())).isEqualTo(new KeyCountResponse(2, 2));
        DeviceBundle first = fetchOne(client, bob.device(), alice.device());
        assertSamePreKey(first.preKey(), ec.get(0));
        assertSameKey(first.pqPreKey(), kyber.get(0));
        assertSameKey(first.signedPreKey(), signed);
        DeviceBundle second = fetchOne(client, bob.device(), alice.device());
        assertSamePreKey(second.preKey(), ec.get(1));
        assertSameKey(second.pqPreKey(), kyber.get(1));
    }

    // --- fetching bundles ---------------------------------------------------------------------

    @Test
    void eachFetchSpendsOneKeyOfEachKindAndReturnsTheUploadedBytes() {
        var alice = register(client, unique("alice"), 0, 0);
        var bob = register(client, unique("bob"), 0, 0);
        List<PreKey> ec = TestKeys.preKeys(10, 6);
        List<SignedPreKey> kyber = TestKeys.kyberKeys(50, 6);
        uploadOk(client, alice.device(), oneTime(ec, kyber));
        Map<Integer, PreKey> ecById = ec.stream().collect(Collectors.toMap(PreKey::keyId, Function.identity()));
        Map<Integer, SignedPreKey> kyberById = kyber.stream().collect(Collectors.toMap(SignedPreKey::keyId, Function.identity()));

        Set<Integer> ecSeen = new HashSet<>();
        Set<Integer> kyberSeen = new HashSet<>();
        for (int i = 1; i <= 6; i++) {
            DeviceBundle b = fetchOne(client, bob.device(), alice.device());
            assertThat(b.preKey()).isNotNull();
            assertThat(ecById).containsKey(b.preKey().keyId());
            assertSamePreKey(b.preKey(), ecById.get(b.preKey().keyId()));
            assertThat(ecSeen.add(b.preKey().keyId())).as("EC key %d handed out twice", b.preKey().keyId()).isTrue();
            assertThat(b.pqLastResort()).isFalse();
            assertThat(kyberById).containsKey(b.pqPreKey().keyId());
            assertSameKey(b.pqPreKey(), kyberById.get(b.pqPreKey().keyId()));
            assertThat(kyberSeen.add(b.pqPreKey().keyId())).as("Kyber key %d handed out twice", b.pqPreKey().keyId()).isTrue();
            assertThat(count(client, alice.device())).isEqualTo(new KeyCountResponse(6 - i, 6 - i));
        }
        assertThat(ecSeen).isEqualTo(ecById.keySet());
        assertThat(kyberSeen).isEqualTo(kyberById.keySet());
    }

    @Test
    void bundleJsonCarriesTheDocumentedFields() {
        var alice = register(client, unique("alice"), 1, 1);
        var bob = register(client, unique("bob"), 0, 0);

        var r = fetchRaw(client, bob.device(), alice.device().username());
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().get("accountId").asText()).isEqualTo(alice.device().accountId().toString());
        var device = r.body().get("devices").get(0);
        assertThat(device.get("deviceId").asInt()).isEqualTo(1);
        assertThat(device.get("registrationId").asInt()).isEqualTo(alice.device().registrationId());
        assertThat(device.get("identityKey").isTextual()).isTrue();
        assertThat(device.get("signedPreKey").get("keyId").asInt()).isEqualTo(7);
        assertThat(device.get("preKey").get("keyId").asInt()).isEqualTo(1);
        assertThat(device.get("pqPreKey").get("keyId").asInt()).isEqualTo(1);
        assertThat(device.get("pqPreKey").get("signature").isTextual()).isTrue();
        assertThat(device.get("pqLastResort").asBoolean()).isFalse();
    }

    @Test
    void bundlesCanBeFetchedByUuidAndByUsernameInAnyCase() {
        var alice = register(client, unique("alice"), 5, 5);
        var bob = register(client, unique("bob"), 0, 0);

        var byUuid = fetch(client, bob.device(), alice.device().accountId().toString());
        assertThat(byUuid.username()).isEqualTo(alice.device().username());
        assertThat(byUuid.devices()).extracting(DeviceBundle::deviceId).containsExactly(1);
        var byUsername = fetch(client, bob.device(), alice.device().username().toUpperCase(Locale.ROOT));
        assertThat(byUsername.accountId()).isEqualTo(alice.device().accountId());

        assertThat(byUuid.devices().getFirst().preKey().keyId()).isNotEqualTo(byUsername.devices().getFirst().preKey().keyId());
        assertThat(count(client, alice.device())).isEqualTo(new KeyCountResponse(3, 3));
    }

    @Test
    void accountFetchGivesOneBundlePerDeviceAndSpendsOneKeyOfEachKindOnEach() {
        var alice = register(client, unique("alice"), 5, 5);
        var laptop = addDevice(client, alice.device(), deviceKeys(3, 3));
        var bob = register(client, unique("bob"), 0, 0);

        var response = fetch(client, bob.device(), alice.device().username());
        assertThat(response.devices()).extracting(DeviceBundle::deviceId).containsExactlyInAnyOrder(1, laptop.device().deviceId());
        for (DeviceBundle b : response.devices()) {
            var owner = b.deviceId() == 1 ? alice : laptop;
            assertThat(b.registrationId()).isEqualTo(owner.device().registrationId());
            assertThat(b.identityKey()).isEqualTo(owner.keys().identityKey());
            assertSameKey(b.signedPreKey(), owner.keys().signedPreKey());
            assertSamePreKey(b.preKey(), owner.keys().preKeys().getFirst());
            assertSameKey(b.pqPreKey(), owner.keys().pqPreKeys().getFirst());
            assertThat(b.pqLastResort()).isFalse();
        }
        assertThat(count(client, alice.device())).isEqualTo(new KeyCountResponse(4, 4));
        assertThat(count(client, laptop.device())).isEqualTo(new KeyCountResponse(2, 2));
    }

    @Test
    void deviceFetchGivesOnlyThatDeviceAndSpendsOnlyItsKeys() {
        var alice = register(client, unique("alice"), 5, 5);
        var laptop = addDevice(client, alice.device(), deviceKeys(3, 3));
        var bob = register(client, unique("bob"), 0, 0);

        var response = fetch(client, bob.device(), alice.device().username() + "/" + laptop.device().deviceId());
        assertThat(response.accountId()).isEqualTo(alice.device().accountId());
        assertThat(response.devices()).hasSize(1);
        DeviceBundle b = response.devices().getFirst();
        assertThat(b.deviceId()).isEqualTo(laptop.device().deviceId());
        assertThat(b.identityKey()).isEqualTo(laptop.keys().identityKey());
        assertSamePreKey(b.preKey(), laptop.keys().preKeys().getFirst());
        assertSameKey(b.pqPreKey(), laptop.keys().pqPreKeys().getFirst());

        assertThat(count(client, laptop.device())).isEqualTo(new KeyCountResponse(2, 2));
        assertThat(count(client, alice.device())).isEqualTo(new KeyCountResponse(5, 5));
    }

    @Test
    void unknownRecipientIsNotFound() {
        var bob = register(client, unique("bob"), 0, 0);

        var byName = fetchRaw(client, bob.device(), "nobody");
        assertThat(byName.status()).isEqualTo(404);
        assertThat(byName.code()).isEqualTo("unknown_recipient");

        var byUuid = fetchRaw(client, bob.device(), UUID.randomUUID().toString());
        assertThat(byUuid.status()).isEqualTo(404);
        assertThat(byUuid.code()).isEqualTo("unknown_recipient");

        var deviceOfNobody = fetchRaw(client, bob.device(), "nobody/1");
        assertThat(deviceOfNobody.status()).isEqualTo(404);
        assertThat(deviceOfNobody.code()).isEqualTo("unknown_recipient");
    }

    @Test
    void unknownDeviceIsNotFoundAndSpendsNoKeys() {
        var alice = register(client, unique("alice"), 5, 5);
        var bob = register(client, unique("bob"), 0, 0);

        var r = fetchRaw(client, bob.device(), alice.device().username() + "/2");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.code()).isEqualTo("device_not_found");
        assertThat(count(client, alice.device())).isEqualTo(new KeyCountResponse(5, 5));
    }

    @Test
    void fetchingAndCountingNeedCredentials() {
        var alice = register(client, unique("alice"), 5, 5);

        assertThat(client.request("GET", "/v1/keys/alice", null, null).status()).isEqualTo(401);
        assertThat(client.request("GET", "/v1/keys/count", null, null).status()).isEqualTo(401);
        String wrong = TestClient.basic(alice.device().accountId() + ".1", "not-the-credential");
        assertThat(client.request("GET", "/v1/keys/alice", null, wrong).status()).isEqualTo(401);
        assertThat(client.request("PUT", "/v1/keys", oneTime(TestKeys.preKeys(100, 1), null), wrong).status()).isEqualTo(401);
        assertThat(count(client, alice.device())).isEqualTo(new KeyCountResponse(5, 5));
    }

    // --- running out --------------------------------------------------------------------------

    @Test
    void withoutOneTimeKyberKeysTheLastResortKeyIsServedRepeatedly() {
        var alice = register(client, unique("alice"), 10, 2);
        var bob = register(client, unique("bob"), 0, 0);

        for (int i = 0; i < 2; i++) {
            DeviceBundle b = fetchOne(client, bob.device(), alice.device());
            assertThat(b.pqLastResort()).isFalse();
            assertSameKey(b.pqPreKey(), alice.keys().pqPreKeys().get(i));
        }
        for (int i = 0; i < 4; i++) {
            DeviceBundle b = fetchOne(client, bob.device(), alice.device());
            assertThat(b.pqLastResort()).isTrue();
            assertSameKey(b.pqPreKey(), alice.keys().pqLastResortPreKey());
            // EC one-time keys are still there and still spent.
            assertSamePreKey(b.preKey(), alice.keys().preKeys().get(2 + i));
        }
        assertThat(count(client, alice.device())).isEqualTo(new KeyCountResponse(4, 0));
    }

    @Test
    void withoutOneTimeEcKeysTheBundleHasNoPreKey() {
        var alice = register(client, unique("alice"), 2, 10);
        var bob = register(client, unique("bob"), 0, 0);

        fetchOne(client, bob.device(), alice.device());
        fetchOne(client, bob.device(), alice.device());
        for (int i = 0; i < 3; i++) {
            var r = fetchRaw(client, bob.device(), alice.device().accountId() + "/1");
            assertThat(r.status()).isEqualTo(200);
            var json = r.body().get("devices").get(0);
            assertThat(json.has("preKey")).as("preKey must be absent once EC keys run out: %s", json).isFalse();
            DeviceBundle b = r.as(PreKeyBundleResponse.class).devices().getFirst();
            assertThat(b.pqLastResort()).isFalse();
            assertSameKey(b.pqPreKey(), alice.keys().pqPreKeys().get(2 + i));
            assertSameKey(b.signedPreKey(), alice.keys().signedPreKey());
        }
        assertThat(count(client, alice.device())).isEqualTo(new KeyCountResponse(0, 5));
    }

    @Test
    void replenishingAfterRunningOutServesOneTimeKeysAgain() {
        var alice = register(client, unique("alice"), 1, 1);
        var bob = register(client, unique("bob"), 0, 0);
        fetchOne(client, bob.device(), alice.device());
        DeviceBundle empty = fetchOne(client, bob.device(), alice.device());
        assertThat(empty.preKey()).isNull();
        assertThat(empty.pqLastResort()).isTrue();

        List<PreKey> ec = TestKeys.preKeys(500, 1);
        List<SignedPreKey> kyber = TestKeys.kyberKeys(500, 1);
        uploadOk(client, alice.device(), oneTime(ec, kyber));
        DeviceBundle b = fetchOne(client, bob.device(), alice.device());
        assertSamePreKey(b.preKey(), ec.getFirst());
        assertSameKey(b.pqPreKey(), kyber.getFirst());
        assertThat(b.pqLastResort()).isFalse();
    }

    // --- rotation -----------------------------------------------------------------------------

    @Test
    void rotatedSignedPreKeyAndLastResortKeyShowInLaterBundles() {
        var alice = register(client, unique("alice"), 3, 0);
        var bob = register(client, unique("bob"), 0, 0);
        DeviceBundle before = fetchOne(client, bob.device(), alice.device());
        assertSameKey(before.signedPreKey(), alice.keys().signedPreKey());
        assertSameKey(before.pqPreKey(), alice.keys().pqLastResortPreKey());

        SignedPreKey signed = TestKeys.signedEc(8);
        SignedPreKey lastResort = TestKeys.kyber(901);
        uploadOk(client, alice.device(), new UploadKeysRequest(signed, lastResort, null, null));

        DeviceBundle after = fetchOne(client, bob.device(), alice.device());
        assertSameKey(after.signedPreKey(), signed);
        assertSameKey(after.pqPreKey(), lastResort);
        assertThat(after.pqLastResort()).isTrue();
        assertThat(after.identityKey()).isEqualTo(alice.keys().identityKey());
        // Rotation alone adds and removes no one-time keys (two fetches spent two).
        assertThat(count(client, alice.device())).isEqualTo(new KeyCountResponse(1, 0));
    }

    @Test
    void rotatingOnlyTheSignedPreKeyKeepsTheLastResortKeyAndViceVersa() {
        var alice = register(client, unique("alice"), 0, 0);
        var bob = register(client, unique("bob"), 0, 0);

        SignedPreKey signed = TestKeys.signedEc(8);
        uploadOk(client, alice.device(), new UploadKeysRequest(signed, null, null, null));
        DeviceBundle afterSigned = fetchOne(client, bob.device(), alice.device());
        assertSameKey(afterSigned.signedPreKey(), signed);
        assertSameKey(afterSigned.pqPreKey(), alice.keys().pqLastResortPreKey());

        SignedPreKey lastResort = TestKeys.kyber(901);
        uploadOk(client, alice.device(), new UploadKeysRequest(null, lastResort, null, null));
        DeviceBundle afterLastResort = fetchOne(client, bob.device(), alice.device());
        assertSameKey(afterLastResort.signedPreKey(), signed);
        assertSameKey(afterLastResort.pqPreKey(), lastResort);
    }

    // --- isolation between devices ------------------------------------------------------------

    @Test
    void uploadsAlwaysLandOnTheAuthenticatedDevice() {
        var alice = register(client, unique("alice"), 5, 5);
        var laptop = addDevice(client, alice.device(), deviceKeys(2, 2));
        var bob = register(client, unique("bob"), 3, 3);

        uploadOk(client, laptop.device(), oneTime(TestKeys.preKeys(100, 10), TestKeys.kyberKeys(100, 10)));
        assertThat(count(client, laptop.device())).isEqualTo(new KeyCountResponse(12, 12));
        assertThat(count(client, alice.device())).isEqualTo(new KeyCountResponse(5, 5));
        assertThat(count(client, bob.device())).isEqualTo(new KeyCountResponse(3, 3));

        // Naming another device or account in the body changes nothing: identity comes from the credential.
        String body = """
                {"accountId":"%s","deviceId":1,"preKeys":[{"keyId":300,"publicKey":"%s"}]}"""
                .formatted(bob.device().accountId(), b64(TestKeys.ecPublicKey()));
        assertThat(upload(client, laptop.device(), body).status()).isEqualTo(204);
        assertThat(count(client, laptop.device())).isEqualTo(new KeyCountResponse(13, 12));
        assertThat(count(client, alice.device())).isEqualTo(new KeyCountResponse(5, 5));
        assertThat(count(client, bob.device())).isEqualTo(new KeyCountResponse(3, 3));
    }

    @Test
    void rotationByOneDeviceLeavesTheOtherDevicesKeysAlone() {
        var alice = register(client, unique("alice"), 0, 0);
        var laptop = addDevice(client, alice.device(), deviceKeys(0, 0));
        var bob = register(client, unique("bob"), 0, 0);

        SignedPreKey signed = TestKeys.signedEc(8);
        SignedPreKey lastResort = TestKeys.kyber(901);
        uploadOk(client, laptop.device(), new UploadKeysRequest(signed, lastResort, null, null));

        var response = fetch(client, bob.device(), alice.device().username());
        for (DeviceBundle b : response.devices()) {
            if (b.deviceId() == 1) {
                assertSameKey(b.signedPreKey(), alice.keys().signedPreKey());
                assertSameKey(b.pqPreKey(), alice.keys().pqLastResortPreKey());
            } else {
                assertSameKey(b.signedPreKey(), signed);
                assertSameKey(b.pqPreKey(), lastResort);
            }
        }
        assertThat(response.devices()).hasSize(2);
    }
}
