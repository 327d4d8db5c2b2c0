package dev.courier.server.keys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.AddDeviceRequest;
import dev.courier.protocol.AddDeviceResponse;
import dev.courier.protocol.DeviceBundle;
import dev.courier.protocol.DeviceKeys;
import dev.courier.protocol.KeyCountResponse;
import dev.courier.protocol.PreKey;
import dev.courier.protocol.PreKeyBundleResponse;
import dev.courier.protocol.RegisterAccountRequest;
import dev.courier.protocol.RegisterAccountResponse;
import dev.courier.protocol.SignedPreKey;
import dev.courier.protocol.UploadKeysRequest;
import dev.courier.server.testing.TestClient;
import dev.courier.server.testing.TestKeys;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/// Helpers shared by the key-directory tests: devices whose published keys the test knows, and
/// thin wrappers over the `/v1/keys` endpoints.
final class KeyFixtures {
    private static final AtomicInteger NAMES = new AtomicInteger();

    private KeyFixtures() {}

    /// A username no other test on a shared server uses: `base` and a number.
    static String unique(String base) {
        return base + NAMES.incrementAndGet();
    }

    /// A device together with exactly the keys it published when it was created.
    record KeyedDevice(TestClient.Device device, DeviceKeys keys) {
        String auth() {
            return device.authHeader();
        }
    }

    static DeviceKeys deviceKeys(int oneTimeEc, int oneTimeKyber) {
        return new DeviceKeys(TestKeys.ecPublicKey(), TestKeys.signedEc(7), TestKeys.kyber(900),
                oneTimeEc == 0 ? null : TestKeys.preKeys(1, oneTimeEc),
                oneTimeKyber == 0 ? null : TestKeys.kyberKeys(1, oneTimeKyber));
    }

    static TestClient.Response registerRaw(TestClient client, String username, DeviceKeys keys) {
        int registrationId = ThreadLocalRandom.current().nextInt(1, 0x3FFF);
        return client.register(new RegisterAccountRequest(username, registrationId, "phone", null, keys));
    }

    static KeyedDevice register(TestClient client, String username, DeviceKeys keys) {
        int registrationId = ThreadLocalRandom.current().nextInt(1, 0x3FFF);
        var r = client.register(new RegisterAccountRequest(username, registrationId, "phone", null, keys));
        assertThat(r.status()).as("registration of %s: %s", username, r.body()).isEqualTo(200);
        var body = r.as(RegisterAccountResponse.class);
        return new KeyedDevice(new TestClient.Device(body.accountId(), body.deviceId(), body.credential(), body.username(),
                registrationId), keys);
    }

    static KeyedDevice register(TestClient client, String username, int oneTimeEc, int oneTimeKyber) {
        return register(client, username, deviceKeys(oneTimeEc, oneTimeKyber));
    }

    static TestClient.Response addDeviceRaw(TestClient client, TestClient.Device caller, DeviceKeys keys) {
        int registrationId = ThreadLocalRandom.current().nextInt(1, 0x3FFF);
        return client.post("/v1/devices", new AddDeviceRequest(registrationId, "laptop", keys), caller);
    }

    static KeyedDevice addDevice(TestClient client, TestClient.Device caller, DeviceKeys keys) {
        int registrationId = ThreadLocalRandom.current().nextInt(1, 0x3FFF);
        var r = client.post("/v1/devices", new AddDeviceRequest(registrationId, "laptop", keys), caller);
        assertThat(r.status()).as("adding a device: %s", r.body()).isEqualTo(200);
        var body = r.as(AddDeviceResponse.class);
        return new KeyedDevice(new TestClient.Device(body.accountId(), body.deviceId(), body.credential(), caller.username(),
                registrationId), keys);
    }

    static TestClient.Response upload(TestClient client, TestClient.Device as, Object body) {
        return client.request("PUT", "/v1/keys", body, as.authHeader());
    }

    static void uploadOk(TestClient client, TestClient.Device as, UploadKeysRequest body) {
        var r = upload(client, as, body);
        assertThat(r.status()).as("upload answer %s", r.body()).isEqualTo(204);
    }

    static UploadKeysRequest oneTime(List<PreKey> preKeys, List<SignedPreKey> pqPreKeys) {
        return new UploadKeysRequest(null, null, preKeys, pqPreKeys);
    }

    static KeyCountResponse count(TestClient client, TestClient.Device as) {
        var r = client.get("/v1/keys/count", as);
        assertThat(r.status()).as("count answer %s", r.body()).isEqualTo(200);
        return r.as(KeyCountResponse.class);
    }

    static TestClient.Response fetchRaw(TestClient client, TestClient.Device as, String path) {
        return client.get("/v1/keys/" + path, as);
    }

    static PreKeyBundleResponse fetch(TestClient client, TestClient.Device as, String path) {
        var r = fetchRaw(client, as, path);
        assertThat(r.status()).as("fetch of %s: %s", path, r.body()).isEqualTo(200);
        return r.as(PreKeyBundleResponse.class);
    }

    /// Fetches the bundle of one device (by account UUID and device ID).
    static DeviceBundle fetchOne(TestClient client, TestClient.Device as, TestClient.Device target) {
        var response = fetch(client, as, target.accountId() + "/" + target.deviceId());
        assertThat(response.devices()).hasSize(1);
        return response.devices().getFirst();
    }

    static void assertSameKey(SignedPreKey actual, SignedPreKey expected) {
        assertThat(actual).as("signed key").isNotNull();
        assertThat(actual.keyId()).isEqualTo(expected.keyId());
        assertThat(actual.publicKey()).isEqualTo(expected.publicKey());
        assertThat(actual.signature()).isEqualTo(expected.signature());
    }

    static void assertSamePreKey(PreKey actual, PreKey expected) {
        assertThat(actual).as("one-time EC key").isNotNull();
        assertThat(actual.keyId()).isEqualTo(expected.keyId());
        assertThat(actual.publicKey()).isEqualTo(expected.publicKey());
    }

    static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }
}
