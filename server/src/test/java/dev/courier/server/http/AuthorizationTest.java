package dev.courier.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.protocol.DeviceInfo;
import dev.courier.protocol.DeviceListResponse;
import dev.courier.protocol.Envelope;
import dev.courier.protocol.KeyCountResponse;
import dev.courier.protocol.PendingMessagesResponse;
import dev.courier.protocol.PreKeyBundleResponse;
import dev.courier.protocol.UploadKeysRequest;
import dev.courier.server.testing.TestClient;
import dev.courier.server.testing.TestClient.Device;
import dev.courier.server.testing.TestKeys;
import dev.courier.server.testing.TestServer;
import dev.courier.server.testing.TestSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/// Isolation between accounts (and between devices of one account): an authenticated device acts
/// only on what belongs to it.
class AuthorizationTest {
    private static TestServer server;
    private static TestClient client;
    private static final AtomicInteger names = new AtomicInteger();

    @BeforeAll
    static void start() {
        server = new TestServer();
        client = new TestClient(server.baseUrl());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Device newAccount() {
        return client.register("authz_" + names.incrementAndGet());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<Envelope> pending(Device d) {
        var response = client.get("/v1/messages", d);
        assertThat(response.status()).isEqualTo(200);
        return response.as(PendingMessagesResponse.class).envelopes();
    }

    private static TestClient.Response ack(Device as, UUID guid) {
        return client.request("DELETE", "/v1/messages/" + guid, null, as.authHeader());
    }

    private static KeyCountResponse keyCount(Device d) {
        var response = client.get("/v1/keys/count", d);
        assertThat(response.status()).isEqualTo(200);
        return response.as(KeyCountResponse.class);
    }

    private static List<Integer> deviceIds(Device d) {
        return client.get("/v1/devices", d).as(DeviceListResponse.class).devices().stream().map(DeviceInfo::deviceId).toList();
    }

    // --- messages -------------------------------------------------------------------------------

    @Test
    void aDeviceListsOnlyItsOwnPendingEnvelopes() {
        var alice = newAccount();
        var bob = newAccount();
        var carol = newAccount();
        assertThat(client.send(alice, utf8("for bob"), bob).status()).isEqualTo(200);
        assertThat(client.send(bob, utf8("for carol"), carol).status()).isEqualTo(200);

        assertThat(pending(bob)).singleElement().satisfies(e -> assertThat(TestSocket.text(e)).isEqualTo("for bob"));
        assertThat(pending(carol)).singleElement().satisfies(e -> assertThat(TestSocket.text(e)).isEqualTo("for carol"));
        // The sender does not see what it sent, and a bystander sees nothing.
        assertThat(pending(alice)).isEmpty();
        assertThat(pending(newAccount())).isEmpty();
    }

    @Test
    void aDeviceSeesOnlyItsOwnCopyOfAMessageToItsAccount() {
        var alice = newAccount();
        var bob = newAccount();
        var bobLaptop = client.addDevice(bob);
        assertThat(client.send(alice, utf8("copy"), bob, bobLaptop).status()).isEqualTo(200);

        var onPhone = pending(bob);
        var onLaptop = pending(bobLaptop);

        assertThat(onPhone).hasSize(1);
        assertThat(onLaptop).hasSize(1);
        assertThat(onPhone.getFirst().guid()).isNotEqualTo(onLaptop.getFirst().guid());
    }

    @Test
    void anotherAccountCannotAcknowledgeAnEnvelopeAndItIsStillDelivered() {
        var alice = newAccount();
        var bob = newAccount();
        var mallory = newAccount();
        assertThat(client.send(alice, utf8("private"), bob).status()).isEqualTo(200);
        UUID guid = pending(bob).getFirst().guid();

        var response = ack(mallory, guid);

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.code()).isEqualTo("envelope_not_found");
        // The envelope was not touched: Bob still gets it, by REST and over his socket.
        assertThat(pending(bob)).extracting(Envelope::guid).containsExactly(guid);
        try (var socket = TestSocket.connect(server, bob)) {
            Envelope e = socket.nextEnvelope();
            assertThat(e.guid()).isEqualTo(guid);
            assertThat(TestSocket.text(e)).isEqualTo("private");
            socket.expectQueueEmpty();
        }
        // The sender cannot delete it either.
        assertThat(ack(alice, guid).status()).isEqualTo(404);
        assertThat(pending(bob)).extracting(Envelope::guid).containsExactly(guid);
        // Its owner can.
        assertThat(ack(bob, guid).status()).isEqualTo(204);
        assertThat(pending(bob)).isEmpty();
    }

    @Test
    void anotherAccountsSocketAckDoesNotDeleteAnEnvelope() {
        var alice = newAccount();
        var bob = newAccount();
        var mallory = newAccount();
        assertThat(client.send(alice, utf8("private"), bob).status()).isEqualTo(200);
        UUID guid = pending(bob).getFirst().guid();

        try (var socket = TestSocket.connect(server, mallory)) {
            socket.expectQueueEmpty();
            socket.ack(guid);
            // An ack is answered by nothing, so give the server a moment to act on it and then
            // prove, with a second ack of Mallory's own envelope, that it has processed acks.
            assertThat(client.send(alice, utf8("to mallory"), mallory).status()).isEqualTo(200);
            Envelope own = socket.nextEnvelope();
            socket.ack(own.guid());
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> pending(mallory).isEmpty());
            // Acks run concurrently, so also watch Bob's queue for a while.
            org.awaitility.Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                    .until(() -> pending(bob).size() == 1);
        }
        assertThat(pending(bob)).extracting(Envelope::guid).containsExactly(guid);
    }

    @Test
    void aDeviceCannotAcknowledgeAnotherDevicesEnvelopeInItsOwnAccount() {
        var alice = newAccount();
        var bob = newAccount();
        var bobLaptop = client.addDevice(bob);
        assertThat(client.send(alice, utf8("copy"), bob, bobLaptop).status()).isEqualTo(200);
        UUID phoneCopy = pending(bob).getFirst().guid();

        var response = ack(bobLaptop, phoneCopy);

        assertThat(response.status()).isEqualTo(404);
        assertThat(pending(bob)).extracting(Envelope::guid).containsExactly(phoneCopy);
        assertThat(pending(bobLaptop)).hasSize(1);
    }

    @Test
    void acknowledgingAnUnknownOrMalformedGuidFails() {
        var bob = newAccount();
        assertThat(ack(bob, UUID.randomUUID()).status()).isEqualTo(404);
        var malformed = client.request("DELETE", "/v1/messages/not-a-uuid", null, bob.authHeader());
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.code()).isEqualTo("invalid_guid");
    }

    // --- devices --------------------------------------------------------------------------------

    @Test
    void removingADeviceActsOnlyWithinTheCallersAccount() {
        var alice = newAccount();
        var bob = newAccount();
        var bobLaptop = client.addDevice(bob);

        // Alice has no device 2: Bob's device 2 is out of her reach.
        var response = client.request("DELETE", "/v1/devices/2", null, alice.authHeader());

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.code()).isEqualTo("device_not_found");
        assertThat(client.get("/v1/devices", bobLaptop).status()).isEqualTo(200);
        assertThat(deviceIds(bob)).containsExactly(1, 2);
    }

    @Test
    void removingADeviceIdBothAccountsHaveRemovesOnlyTheCallersOwn() {
        var alice = newAccount();
        var aliceLaptop = client.addDevice(alice);
        var bob = newAccount();
        var bobLaptop = client.addDevice(bob);
        try (var bobSocket = TestSocket.connect(server, bobLaptop)) {
            bobSocket.expectQueueEmpty();

            assertThat(client.request("DELETE", "/v1/devices/2", null, alice.authHeader()).status()).isEqualTo(204);

            assertThat(client.get("/v1/devices", aliceLaptop).status()).isEqualTo(401);
            assertThat(client.get("/v1/devices", bobLaptop).status()).isEqualTo(200);
            assertThat(deviceIds(bob)).containsExactly(1, 2);
            // Bob's connected device 2 was not disconnected by Alice's removal of her device 2.
            assertThat(client.send(alice, utf8("still connected"), bob, bobLaptop).status()).isEqualTo(200);
            assertThat(TestSocket.text(bobSocket.nextEnvelope())).isEqualTo("still connected");
            assertThat(bobSocket.isClosed()).isFalse();
        }
    }

    @Test
    void aDeviceListsOnlyItsOwnAccountsDevices() {
        var alice = newAccount();
        client.addDevice(alice);
        var bob = newAccount();

        var list = client.get("/v1/devices", bob).as(DeviceListResponse.class);

        assertThat(list.accountId()).isEqualTo(bob.accountId());
        assertThat(list.username()).isEqualTo(bob.username());
        assertThat(list.devices()).extracting(DeviceInfo::deviceId).containsExactly(1);
    }

    // --- keys -----------------------------------------------------------------------------------

    @Test
    void keyCountShowsOnlyTheCallersOwnKeys() {
        var alice = newAccount(); // 5 + 5 one-time keys
        var bob = newAccount();
        var bobLaptop = client.addDevice(bob); // 5 + 5 as well

        var upload = client.request("PUT", "/v1/keys",
                new UploadKeysRequest(null, null, TestKeys.preKeys(100, 20), TestKeys.kyberKeys(100, 3)), bob.authHeader());
        assertThat(upload.status()).isEqualTo(204);

        assertThat(keyCount(bob)).isEqualTo(new KeyCountResponse(25, 8));
        assertThat(keyCount(bobLaptop)).isEqualTo(new KeyCountResponse(5, 5));
        assertThat(keyCount(alice)).isEqualTo(new KeyCountResponse(5, 5));
    }

    @Test
    void uploadedKeysGoToTheAuthenticatedDeviceWhateverTheBodySays() throws Exception {
        var alice = newAccount();
        var bob = newAccount();
        var bobLaptop = client.addDevice(bob);
        var mallory = newAccount();
        int originalAliceKey = signedPreKeyOf(alice, bob);
        assertThat(originalAliceKey).isEqualTo(1);
        // Mallory names Alice's device in every way the body could, and rotates "its" signed pre-key.
        JsonNode body = TestClient.JSON.valueToTree(new UploadKeysRequest(TestKeys.signedEc(9), null, TestKeys.preKeys(500, 7), null));
        ((com.fasterxml.jackson.databind.node.ObjectNode) body)
                .put("accountId", alice.accountId().toString()).put("deviceId", 1)
                .put("account", alice.username()).put("recipient", alice.username());

        assertThat(client.request("PUT", "/v1/keys", body.toString(), mallory.authHeader()).status()).isEqualTo(204);
        // Bob's laptop does the same with his primary device's ID.
        ((com.fasterxml.jackson.databind.node.ObjectNode) body).put("accountId", bob.accountId().toString());
        assertThat(client.request("PUT", "/v1/keys", body.toString(), bobLaptop.authHeader()).status()).isEqualTo(204);

        assertThat(keyCount(mallory).preKeys()).isEqualTo(12);
        assertThat(keyCount(bobLaptop).preKeys()).isEqualTo(12);
        assertThat(keyCount(bob).preKeys()).isEqualTo(5);
        // Alice's keys are as she published them (one of her one-time keys was spent reading her
        // bundle above).
        assertThat(keyCount(alice)).isEqualTo(new KeyCountResponse(4, 4));
        assertThat(signedPreKeyOf(alice, bob)).isEqualTo(originalAliceKey);
        assertThat(signedPreKeyOf(mallory, bob)).isEqualTo(9);
    }

    /// The key ID of `owner`'s primary signed pre-key, as `reader` fetches it from the directory.
    private static int signedPreKeyOf(Device owner, Device reader) {
        var response = client.get("/v1/keys/" + owner.accountId() + "/1", reader);
        assertThat(response.status()).isEqualTo(200);
        var bundle = response.as(PreKeyBundleResponse.class);
        assertThat(bundle.accountId()).isEqualTo(owner.accountId());
        return bundle.devices().getFirst().signedPreKey().keyId();
    }

    // --- admin ----------------------------------------------------------------------------------

    @Test
    void aDeviceCredentialDoesNotAuthoriseTheAdminApi() {
        var alice = newAccount();

        var response = client.request("POST", "/v1/admin/registration-tokens", "{\"uses\":1}", alice.authHeader());

        // This server has no admin token at all, so the admin API is off for everyone.
        assertThat(response.status()).isEqualTo(403);
        assertThat(response.code()).isEqualTo("admin_disabled");
    }
}
