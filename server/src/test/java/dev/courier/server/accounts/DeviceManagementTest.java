package dev.courier.server.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.AddDeviceRequest;
import dev.courier.protocol.AddDeviceResponse;
import dev.courier.protocol.DeviceInfo;
import dev.courier.protocol.DeviceKeys;
import dev.courier.protocol.DeviceListResponse;
import dev.courier.server.CourierServer;
import dev.courier.server.testing.TestClient;
import dev.courier.server.testing.TestClient.Device;
import dev.courier.server.testing.TestKeys;
import dev.courier.server.testing.TestServer;
import dev.courier.server.testing.TestSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/// Adding, listing and removing devices: `/v1/devices`. The server caps accounts at 4 devices.
class DeviceManagementTest {
    private static final int MAX_DEVICES = 4;
    private static TestServer server;
    private static TestClient client;
    private static final AtomicInteger names = new AtomicInteger();

    @BeforeAll
    static void start() {
        server = new TestServer(Map.of("accounts.maxDevices", Integer.toString(MAX_DEVICES)));
        client = new TestClient(server.baseUrl());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Device newAccount() {
        return client.register("dev_" + names.incrementAndGet());
    }

    private static List<Integer> deviceIds(Device as) {
        var response = client.get("/v1/devices", as);
        assertThat(response.status()).isEqualTo(200);
        return response.as(DeviceListResponse.class).devices().stream().map(DeviceInfo::deviceId).toList();
    }

    private static TestClient.Response remove(Device as, int deviceId) {
        return client.request("DELETE", "/v1/devices/" + deviceId, null, as.authHeader());
    }

    private static boolean authenticates(Device d) {
        int status = client.get("/v1/devices", d).status();
        assertThat(status).isIn(200, 401);
        return status == 200;
    }

    @Test
    void addedDevicesGetIdsTwoThreeAndSoOnWithWorkingCredentials() {
        var primary = newAccount();

        var second = client.addDevice(primary);
        var third = client.addDevice(primary);

        assertThat(second.deviceId()).isEqualTo(2);
        assertThat(third.deviceId()).isEqualTo(3);
        assertThat(second.accountId()).isEqualTo(primary.accountId());
        assertThat(third.accountId()).isEqualTo(primary.accountId());
        for (Device d : List.of(second, third)) {
            assertThat(d.credential()).matches("[A-Za-z0-9_-]{43}");
            assertThat(Base64.getUrlDecoder().decode(d.credential())).hasSize(32);
            // Each credential authenticates its own device, and lists the same account.
            var list = client.get("/v1/devices", d).as(DeviceListResponse.class);
            assertThat(list.accountId()).isEqualTo(primary.accountId());
        }
        assertThat(List.of(primary.credential(), second.credential(), third.credential())).doesNotHaveDuplicates();
    }

    @Test
    void aDeviceCredentialIsBoundToItsDeviceId() {
        var primary = newAccount();
        var second = client.addDevice(primary);

        // Device 2's credential does not authenticate as device 1 (or device 3), nor the other way round.
        assertThat(client.request("GET", "/v1/devices", null, TestClient.basic(primary.accountId() + ".1", second.credential())).status())
                .isEqualTo(401);
        assertThat(client.request("GET", "/v1/devices", null, TestClient.basic(primary.accountId() + ".2", primary.credential())).status())
                .isEqualTo(401);
        assertThat(client.request("GET", "/v1/devices", null, TestClient.basic(primary.accountId() + ".3", second.credential())).status())
                .isEqualTo(401);
    }

    @Test
    void listingShowsEveryDeviceOfTheAccount() {
        var primary = newAccount();
        var response = client.post("/v1/devices", new AddDeviceRequest(777, "laptop", TestKeys.device(1)), primary);
        assertThat(response.status()).isEqualTo(200);
        var added = response.as(AddDeviceResponse.class);
        var second = new Device(added.accountId(), added.deviceId(), added.credential(), primary.username(), 777);

        var list = client.get("/v1/devices", second).as(DeviceListResponse.class);

        assertThat(list.accountId()).isEqualTo(primary.accountId());
        assertThat(list.username()).isEqualTo(primary.username());
        assertThat(list.devices()).extracting(DeviceInfo::deviceId).containsExactly(1, 2);
        DeviceInfo laptop = list.devices().get(1);
        assertThat(laptop.name()).isEqualTo("laptop");
        assertThat(laptop.registrationId()).isEqualTo(777);
        assertThat(laptop.createdAt()).isPositive();
        assertThat(list.devices().get(0).registrationId()).isEqualTo(primary.registrationId());
    }

    @Test
    void theDeviceCapIsEnforcedWith409() {
        var primary = newAccount();
        for (int i = 2; i <= MAX_DEVICES; i++) client.addDevice(primary);

        var over = client.post("/v1/devices", new AddDeviceRequest(1, "one too many", TestKeys.device(1)), primary);

        assertThat(over.status()).isEqualTo(409);
        assertThat(over.code()).isEqualTo("too_many_devices");
        assertThat(deviceIds(primary)).hasSize(MAX_DEVICES);
    }

    @Test
    void concurrentAddsCannotExceedTheCap() throws Exception {
        var primary = newAccount();
        List<Future<TestClient.Response>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 10; i++) {
                results.add(pool.submit(() -> client.post("/v1/devices", new AddDeviceRequest(1, "racer", TestKeys.device(1)), primary)));
            }
        }
        List<Integer> added = new ArrayList<>();
        int refused = 0;
        for (var f : results) {
            var r = f.get();
            if (r.status() == 200) added.add(r.as(AddDeviceResponse.class).deviceId());
            else if (r.status() == 409 && "too_many_devices".equals(r.code())) refused++;
        }

        assertThat(added).containsExactlyInAnyOrder(2, 3, 4);
        assertThat(refused).isEqualTo(7);
        assertThat(deviceIds(primary)).containsExactly(1, 2, 3, 4);
    }

    @Test
    void removingADeviceMakesRoomUnderTheCap() {
        var primary = newAccount();
        for (int i = 2; i <= MAX_DEVICES; i++) client.addDevice(primary);
        assertThat(client.post("/v1/devices", new AddDeviceRequest(1, "x", TestKeys.device(1)), primary).status()).isEqualTo(409);

        assertThat(remove(primary, 2).status()).isEqualTo(204);

        var replacement = client.addDevice(primary);
        assertThat(replacement.deviceId()).isEqualTo(MAX_DEVICES + 1);
        assertThat(deviceIds(primary)).containsExactly(1, 3, 4, 5);
    }

    @Test
    void deviceIdsAreNeverReusedAfterRemoval() {
        var primary = newAccount();
        client.addDevice(primary); // 2
        client.addDevice(primary); // 3

        // Remove the newest device: a counter derived from max(id) + 1 would hand 3 out again.
        assertThat(remove(primary, 3).status()).isEqualTo(204);
        var next = client.addDevice(primary);
        assertThat(next.deviceId()).isEqualTo(4);

        assertThat(remove(primary, 2).status()).isEqualTo(204);
        assertThat(remove(primary, 4).status()).isEqualTo(204);
        var after = client.addDevice(primary);
        assertThat(after.deviceId()).isEqualTo(5);
        assertThat(deviceIds(primary)).containsExactly(1, 5);
    }

    @Test
    void deviceIdsAreNeverReusedAcrossARestart() {
        try (var own = new TestServer()) {
            var c = new TestClient(own.baseUrl());
            var primary = c.register("restarted");
            c.addDevice(primary);
            var three = c.addDevice(primary);
            assertThat(c.request("DELETE", "/v1/devices/3", null, primary.authHeader()).status()).isEqualTo(204);

            own.restart();
            var after = new TestClient(own.baseUrl());

            assertThat(three.deviceId()).isEqualTo(3);
            assertThat(after.addDevice(primary).deviceId()).isEqualTo(4);
        }
    }

    @Test
    void thePrimaryCanRemoveAnotherDevice() {
        var primary = newAccount();
        var second = client.addDevice(primary);
        var third = client.addDevice(primary);

        var response = remove(primary, 2);

        assertThat(response.status()).isEqualTo(204);
        assertThat(deviceIds(primary)).containsExactly(1, 3);
        assertThat(authenticates(second)).isFalse();
        assertThat(authenticates(third)).isTrue();
    }

    @Test
    void aNonPrimaryDeviceCanRemoveItself() {
        var primary = newAccount();
        var second = client.addDevice(primary);

        assertThat(remove(second, 2).status()).isEqualTo(204);

        assertThat(deviceIds(primary)).containsExactly(1);
        assertThat(authenticates(second)).isFalse();
    }

    @Test
    void aNonPrimaryDeviceCannotRemoveAnotherDevice() {
        var primary = newAccount();
        var second = client.addDevice(primary);
        var third = client.addDevice(primary);

        var response = remove(second, 3);

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.code()).isEqualTo("forbidden");
        assertThat(deviceIds(primary)).containsExactly(1, 2, 3);
        assertThat(authenticates(third)).isTrue();
    }

    @Test
    void thePrimaryDeviceCannotBeRemoved() {
        var primary = newAccount();
        var second = client.addDevice(primary);

        var byItself = remove(primary, 1);
        var byAnother = remove(second, 1);

        assertThat(byItself.status()).isEqualTo(403);
        assertThat(byItself.code()).isEqualTo("cannot_remove_primary");
        assertThat(byAnother.status()).isEqualTo(403);
        assertThat(byAnother.code()).isEqualTo("cannot_remove_primary");
        assertThat(authenticates(primary)).isTrue();
        assertThat(deviceIds(primary)).containsExactly(1, 2);
    }

    @Test
    void removingAnUnknownDeviceIs404() {
        var primary = newAccount();
        var second = client.addDevice(primary);

        var never = remove(primary, 9);
        assertThat(never.status()).isEqualTo(404);
        assertThat(never.code()).isEqualTo("device_not_found");

        assertThat(remove(primary, 2).status()).isEqualTo(204);
        var again = remove(primary, second.deviceId());
        assertThat(again.status()).isEqualTo(404);
        assertThat(again.code()).isEqualTo("device_not_found");
    }

    @Test
    void malformedDeviceIdsAreRefusedWith400() {
        var primary = newAccount();
        client.addDevice(primary);

        for (String id : List.of("0", "-2", "two", "2.0", "99999999999")) {
            var response = client.request("DELETE", "/v1/devices/" + id, null, primary.authHeader());
            assertThat(response.status()).as(id).isEqualTo(400);
            assertThat(response.code()).as(id).isEqualTo("invalid_device_id");
        }
        assertThat(deviceIds(primary)).containsExactly(1, 2);
    }

    @Test
    void aRemovedDevicesCredentialStopsWorking() {
        var primary = newAccount();
        var second = client.addDevice(primary);
        assertThat(authenticates(second)).isTrue();

        assertThat(remove(primary, 2).status()).isEqualTo(204);

        for (String path : List.of("/v1/devices", "/v1/messages", "/v1/keys/count")) {
            var response = client.get(path, second);
            assertThat(response.status()).as(path).isEqualTo(401);
            assertThat(response.code()).as(path).isEqualTo("unauthorized");
        }
        assertThat(TestSocket.upgradeStatus(server, second.authHeader())).isEqualTo(401);
        // It cannot add itself back either.
        assertThat(client.post("/v1/devices", new AddDeviceRequest(1, "back", TestKeys.device(1)), second).status()).isEqualTo(401);
    }

    @Test
    void aRemovedDevicesOpenSocketIsClosedWith4001() {
        var primary = newAccount();
        var second = client.addDevice(primary);
        var third = client.addDevice(primary);
        try (var socket = TestSocket.connect(server, second); var bystander = TestSocket.connect(server, third)) {
            socket.expectQueueEmpty();
            bystander.expectQueueEmpty();

            assertThat(remove(primary, 2).status()).isEqualTo(204);

            assertThat(socket.awaitClose(Duration.ofSeconds(5))).isEqualTo(CourierServer.CLOSE_DEVICE_REMOVED).isEqualTo(4001);
            // Another device's socket of the same account stays open and keeps working.
            var alice = newAccount();
            var sent = client.send(alice, "still here".getBytes(StandardCharsets.UTF_8), primary, third);
            assertThat(sent.status()).isEqualTo(200);
            assertThat(TestSocket.text(bystander.nextEnvelope())).isEqualTo("still here");
            assertThat(bystander.isClosed()).isFalse();
        }
    }

    @Test
    void aDeviceThatRemovesItselfHasItsSocketClosedWith4001() {
        var primary = newAccount();
        var second = client.addDevice(primary);
        try (var socket = TestSocket.connect(server, second)) {
            socket.expectQueueEmpty();

            assertThat(remove(second, 2).status()).isEqualTo(204);

            assertThat(socket.awaitClose(Duration.ofSeconds(5))).isEqualTo(4001);
        }
    }

    @Test
    void aRemovedDeviceIsNoLongerAMessageRecipient() {
        var primary = newAccount();
        var second = client.addDevice(primary);
        var alice = newAccount();
        assertThat(remove(primary, 2).status()).isEqualTo(204);

        // A sender that still addresses device 2 is told it is extra.
        var stale = client.send(alice, "hi".getBytes(StandardCharsets.UTF_8), primary, second);
        assertThat(stale.status()).isEqualTo(409);
        assertThat(stale.body().get("extraDevices").get(0).asInt()).isEqualTo(2);
        assertThat(client.send(alice, "hi".getBytes(StandardCharsets.UTF_8), primary).status()).isEqualTo(200);
    }

    @Test
    void addingADeviceRequiresValidKeysAndRegistrationId() {
        var primary = newAccount();
        DeviceKeys good = TestKeys.device(1);

        var noKeys = client.post("/v1/devices", new AddDeviceRequest(1, "x", null), primary);
        byte[] wrongType = TestKeys.ecPublicKey();
        wrongType[0] = 0x07;
        var badIdentity = client.post("/v1/devices", new AddDeviceRequest(1, "x",
                new DeviceKeys(wrongType, good.signedPreKey(), good.pqLastResortPreKey(), null, null)), primary);
        var badRegistrationId = client.post("/v1/devices", new AddDeviceRequest(0, "x", good), primary);
        var longName = client.post("/v1/devices", new AddDeviceRequest(1, "n".repeat(65), good), primary);

        assertThat(noKeys.status()).isEqualTo(400);
        assertThat(noKeys.code()).isEqualTo("invalid_key");
        assertThat(badIdentity.status()).isEqualTo(400);
        assertThat(badIdentity.code()).isEqualTo("invalid_key");
        assertThat(badRegistrationId.status()).isEqualTo(400);
        assertThat(badRegistrationId.code()).isEqualTo("invalid_registration_id");
        assertThat(longName.status()).isEqualTo(400);
        assertThat(deviceIds(primary)).containsExactly(1);
    }

    @Test
    void addingADeviceRequiresAuthentication() {
        var primary = newAccount();

        var response = client.request("POST", "/v1/devices", new AddDeviceRequest(1, "x", TestKeys.device(1)), null);

        assertThat(response.status()).isEqualTo(401);
        assertThat(deviceIds(primary)).containsExactly(1);
    }
}
