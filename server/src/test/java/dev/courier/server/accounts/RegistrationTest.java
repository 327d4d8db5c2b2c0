package dev.courier.server.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.courier.protocol.DeviceKeys;
import dev.courier.protocol.DeviceListResponse;
import dev.courier.protocol.PreKey;
import dev.courier.protocol.RegisterAccountRequest;
import dev.courier.protocol.RegisterAccountResponse;
import dev.courier.protocol.SignedPreKey;
import dev.courier.server.testing.TestClient;
import dev.courier.server.testing.TestKeys;
import dev.courier.server.testing.TestServer;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/// `POST /v1/accounts` on a server with open registration. One server serves the whole class;
/// every test uses its own usernames.
class RegistrationTest {
    private static TestServer server;
    private static TestClient client;

    @BeforeAll
    static void start() {
        server = new TestServer(Map.of("registration.policy", "open"));
        client = new TestClient(server.baseUrl());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static RegisterAccountRequest request(String username, int registrationId, DeviceKeys keys) {
        return new RegisterAccountRequest(username, registrationId, "phone", null, keys);
    }

    private static RegisterAccountRequest request(String username) {
        return request(username, 1234, TestKeys.device(3));
    }

    private static final AtomicInteger names = new AtomicInteger();

    private static String unique(String prefix) {
        return prefix + "_" + names.incrementAndGet();
    }

    /// True when `username` can still be registered, i.e. the refused request created no account.
    /// (This registers it.)
    private static boolean usernameIsFree(String username) {
        return client.register(request(username)).status() == 200;
    }

    @Test
    void openRegistrationReturnsAccountIdDeviceOneAndACredentialThatAuthenticates() {
        var response = client.register(request("reg_ok"));

        assertThat(response.status()).isEqualTo(200);
        var body = response.as(RegisterAccountResponse.class);
        assertThat(body.accountId()).isNotNull();
        assertThat(body.deviceId()).isEqualTo(1);
        assertThat(body.username()).isEqualTo("reg_ok");

        // The credential is 32 random bytes as unpadded base64url: 43 characters.
        assertThat(body.credential()).hasSize(43).matches("[A-Za-z0-9_-]{43}");
        assertThat(Base64.getUrlDecoder().decode(body.credential())).hasSize(32);

        // It authenticates as device 1 of exactly this account.
        String auth = TestClient.basic(body.accountId() + ".1", body.credential());
        var devices = client.request("GET", "/v1/devices", null, auth);
        assertThat(devices.status()).isEqualTo(200);
        var list = devices.as(DeviceListResponse.class);
        assertThat(list.accountId()).isEqualTo(body.accountId());
        assertThat(list.username()).isEqualTo("reg_ok");
        assertThat(list.devices()).singleElement().satisfies(d -> {
            assertThat(d.deviceId()).isEqualTo(1);
            assertThat(d.registrationId()).isEqualTo(1234);
            assertThat(d.name()).isEqualTo("phone");
        });
    }

    @Test
    void everyRegistrationGetsItsOwnAccountIdAndCredential() {
        var a = client.register(request("reg_distinct_a")).as(RegisterAccountResponse.class);
        var b = client.register(request("reg_distinct_b")).as(RegisterAccountResponse.class);

        assertThat(a.accountId()).isNotEqualTo(b.accountId());
        assertThat(a.credential()).isNotEqualTo(b.credential());
        // One account's credential does not open the other.
        assertThat(client.request("GET", "/v1/devices", null, TestClient.basic(b.accountId() + ".1", a.credential())).status())
                .isEqualTo(401);
    }

    @Test
    void usernameIsStoredLowerCaseAndTrimmed() {
        var response = client.register(request("  Reg_Mixed.Case "));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.as(RegisterAccountResponse.class).username()).isEqualTo("reg_mixed.case");
    }

    @Test
    void takenUsernameIsRefusedWith409() {
        var first = client.register(request("reg_taken"));
        assertThat(first.status()).isEqualTo(200);

        var second = client.register(request("reg_taken"));

        assertThat(second.status()).isEqualTo(409);
        assertThat(second.code()).isEqualTo("username_taken");
        assertThat(second.body().get("message").asText()).isNotBlank();
    }

    @Test
    void usernamesAreTakenCaseInsensitively() {
        assertThat(client.register(request("reg_case")).status()).isEqualTo(200);

        for (String variant : List.of("REG_CASE", "Reg_Case", "reg_CASE", " reg_case ")) {
            var clash = client.register(request(variant));
            assertThat(clash.status()).as(variant).isEqualTo(409);
            assertThat(clash.code()).as(variant).isEqualTo("username_taken");
        }
    }

    @Test
    void aMixedCaseRegistrationBlocksTheLowerCaseName() {
        assertThat(client.register(request("Reg_Upper_First")).status()).isEqualTo(200);

        var clash = client.register(request("reg_upper_first"));

        assertThat(clash.status()).isEqualTo(409);
        assertThat(clash.code()).isEqualTo("username_taken");
    }

    @Test
    void aRegistrationRefusedForATakenUsernameLeavesTheOriginalAccountIntact() {
        var original = client.register(request("reg_keep")).as(RegisterAccountResponse.class);

        assertThat(client.register(request("REG_KEEP")).status()).isEqualTo(409);

        String auth = TestClient.basic(original.accountId() + ".1", original.credential());
        var list = client.request("GET", "/v1/devices", null, auth);
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.as(DeviceListResponse.class).devices()).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",                                   // empty
            "ab",                                 // too short
            "abcdefghijklmnopqrstuvwxyz0123456",  // 33 characters: too long
            "1abc",                               // must start with a letter
            "_abc",                               // must start with a letter
            "has space",
            "has-dash",
            "at@sign",
            "emoji\uD83D\uDE00x",
            "caf\u00e9",                          // only ASCII letters
            "3f2504e0-4f89-11d3-9a0c-0305e82c3301" // a UUID can never be a username
    })
    void invalidUsernameIsRefusedWith400(String username) {
        var response = client.register(request(username));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.code()).isEqualTo("invalid_username");
    }

    @Test
    void missingUsernameIsRefusedWith400() {
        var response = client.register(request(null));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.code()).isEqualTo("invalid_username");
    }

    @Test
    void usernamesAtTheLengthLimitsAreAccepted() {
        assertThat(client.register(request("abc")).status()).isEqualTo(200);
        assertThat(client.register(request("a" + "b".repeat(30) + "c")).status()).isEqualTo(200); // 32 characters
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 0x4000, Integer.MAX_VALUE, Integer.MIN_VALUE})
    void invalidRegistrationIdIsRefusedWith400(int registrationId) {
        String username = unique("reg_rid");
        var response = client.register(request(username, registrationId, TestKeys.device(2)));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.code()).isEqualTo("invalid_registration_id");
        assertThat(usernameIsFree(username)).isTrue();
    }

    @Test
    void registrationIdsAtTheLimitsAreAccepted() {
        assertThat(client.register(request("reg_rid_low", 1, TestKeys.device(1))).status()).isEqualTo(200);
        assertThat(client.register(request("reg_rid_high", 0x3FFF, TestKeys.device(1))).status()).isEqualTo(200);
    }

    @Test
    void missingRegistrationIdIsRefusedWith400() {
        ObjectNode body = TestClient.JSON.valueToTree(request("reg_rid_missing"));
        body.remove("registrationId");

        var response = client.request("POST", "/v1/accounts", body.toString(), null);

        assertThat(response.status()).isEqualTo(400);
        assertThat(usernameIsFree("reg_rid_missing")).isTrue();
    }

    // --- keys -----------------------------------------------------------------------------------

    private static void assertInvalidKey(String username, DeviceKeys keys) {
        var response = client.register(request(username, 77, keys));
        assertThat(response.status()).as("status for %s", username).isEqualTo(400);
        assertThat(response.code()).as("code for %s", username).isEqualTo("invalid_key");
        assertThat(usernameIsFree(username)).as("%s must not have been created", username).isTrue();
    }

    private static DeviceKeys keysWith(UnaryOperator<DeviceKeys> change) {
        return change.apply(TestKeys.device(2));
    }

    private static byte[] withByte(byte[] key, int index, int value) {
        byte[] copy = key.clone();
        copy[index] = (byte) value;
        return copy;
    }

    @Test
    void missingKeysAreRefusedWithInvalidKey() {
        assertInvalidKey("reg_key_none", null);
    }

    @Test
    void missingOrIllShapedIdentityKeyIsRefused() {
        assertInvalidKey("reg_key_id_null", keysWith(k -> new DeviceKeys(null, k.signedPreKey(), k.pqLastResortPreKey(), k.preKeys(), k.pqPreKeys())));
        assertInvalidKey("reg_key_id_short", keysWith(k -> new DeviceKeys(new byte[] {5, 1, 2}, k.signedPreKey(), k.pqLastResortPreKey(), k.preKeys(), k.pqPreKeys())));
        assertInvalidKey("reg_key_id_type", keysWith(k -> new DeviceKeys(withByte(k.identityKey(), 0, 0x06), k.signedPreKey(), k.pqLastResortPreKey(), k.preKeys(), k.pqPreKeys())));
        assertInvalidKey("reg_key_id_long", keysWith(k -> new DeviceKeys(TestKeys.random(34), k.signedPreKey(), k.pqLastResortPreKey(), k.preKeys(), k.pqPreKeys())));
    }

    @Test
    void missingOrIllShapedSignedPreKeyIsRefused() {
        assertInvalidKey("reg_key_spk_null", keysWith(k -> new DeviceKeys(k.identityKey(), null, k.pqLastResortPreKey(), k.preKeys(), k.pqPreKeys())));
        assertInvalidKey("reg_key_spk_sig", keysWith(k -> new DeviceKeys(k.identityKey(),
                new SignedPreKey(1, TestKeys.ecPublicKey(), TestKeys.random(63)), k.pqLastResortPreKey(), k.preKeys(), k.pqPreKeys())));
        assertInvalidKey("reg_key_spk_nosig", keysWith(k -> new DeviceKeys(k.identityKey(),
                new SignedPreKey(1, TestKeys.ecPublicKey(), null), k.pqLastResortPreKey(), k.preKeys(), k.pqPreKeys())));
        assertInvalidKey("reg_key_spk_kyber", keysWith(k -> new DeviceKeys(k.identityKey(),
                TestKeys.kyber(1), k.pqLastResortPreKey(), k.preKeys(), k.pqPreKeys())));
        assertInvalidKey("reg_key_spk_id", keysWith(k -> new DeviceKeys(k.identityKey(),
                new SignedPreKey(-1, TestKeys.ecPublicKey(), TestKeys.signature()), k.pqLastResortPreKey(), k.preKeys(), k.pqPreKeys())));
    }

    @Test
    void missingOrIllShapedLastResortKyberKeyIsRefused() {
        assertInvalidKey("reg_key_pq_null", keysWith(k -> new DeviceKeys(k.identityKey(), k.signedPreKey(), null, k.preKeys(), k.pqPreKeys())));
        assertInvalidKey("reg_key_pq_ec", keysWith(k -> new DeviceKeys(k.identityKey(), k.signedPreKey(), TestKeys.signedEc(5), k.preKeys(), k.pqPreKeys())));
        assertInvalidKey("reg_key_pq_type", keysWith(k -> new DeviceKeys(k.identityKey(), k.signedPreKey(),
                new SignedPreKey(5, withByte(TestKeys.kyberPublicKey(), 0, 0x05), TestKeys.signature()), k.preKeys(), k.pqPreKeys())));
    }

    @Test
    void illShapedOneTimeKeysAreRefused() {
        assertInvalidKey("reg_key_otk_short", keysWith(k -> new DeviceKeys(k.identityKey(), k.signedPreKey(), k.pqLastResortPreKey(),
                List.of(new PreKey(1, TestKeys.random(32))), k.pqPreKeys())));
        assertInvalidKey("reg_key_otk_pq", keysWith(k -> new DeviceKeys(k.identityKey(), k.signedPreKey(), k.pqLastResortPreKey(),
                k.preKeys(), List.of(TestKeys.signedEc(1)))));
        assertInvalidKey("reg_key_otk_id", keysWith(k -> new DeviceKeys(k.identityKey(), k.signedPreKey(), k.pqLastResortPreKey(),
                List.of(new PreKey(0x1000000, TestKeys.ecPublicKey())), k.pqPreKeys())));
    }

    @Test
    void keysThatAreNotBase64AreRefusedWith400() {
        ObjectNode body = TestClient.JSON.valueToTree(request("reg_key_b64"));
        ((ObjectNode) body.get("keys")).put("identityKey", "not base64 at all!");

        var response = client.request("POST", "/v1/accounts", body.toString(), null);

        assertThat(response.status()).isEqualTo(400);
        assertThat(usernameIsFree("reg_key_b64")).isTrue();
    }

    @Test
    void registrationWithoutOneTimeKeysIsAccepted() {
        var keys = TestKeys.device(0);
        var response = client.register(request("reg_no_otk", 99, new DeviceKeys(keys.identityKey(), keys.signedPreKey(),
                keys.pqLastResortPreKey(), null, null)));

        assertThat(response.status()).isEqualTo(200);
    }

    @Test
    void malformedBodyIsRefusedWith400() {
        assertThat(client.request("POST", "/v1/accounts", "{not json", null).status()).isEqualTo(400);
        assertThat(client.request("POST", "/v1/accounts", null, null).status()).isEqualTo(400);
        assertThat(client.request("POST", "/v1/accounts", "[]", null).status()).isEqualTo(400);
    }
}
