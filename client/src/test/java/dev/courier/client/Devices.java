package dev.courier.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.client.internal.keys.PreKeys;
import dev.courier.client.internal.store.DeviceStore;
import dev.courier.client.internal.store.LocalState;
import dev.courier.client.internal.store.SignalStore;
import dev.courier.protocol.AddDeviceRequest;
import dev.courier.protocol.AddDeviceResponse;
import dev.courier.server.testing.TestClient;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.signal.libsignal.protocol.IdentityKeyPair;
import org.signal.libsignal.protocol.InvalidKeyException;
import org.signal.libsignal.protocol.util.KeyHelper;

/// Helpers that reach past the SDK the way a test must: reading a device's credential from its
/// store to call the raw HTTP API as that device, and finding a port nobody listens on.
final class Devices {
    private Devices() {}

    static CourierClient register(Path root, String baseUrl, String username) {
        return CourierClient.register(root.resolve(username), URI.create(baseUrl), username, null);
    }

    /// The raw-API identity of the device in `deviceDir` (its `local` table), readable while the
    /// client has the store open.
    static TestClient.Device raw(Path deviceDir) {
        Map<String, byte[]> local = local(deviceDir);
        return new TestClient.Device(UUID.fromString(text(local.get("account_id"))), ByteBuffer.wrap(local.get("device_id")).getInt(),
                text(local.get("credential")), text(local.get("username")), ByteBuffer.wrap(local.get("registration_id")).getInt());
    }

    /// The identity key pair of the device in `deviceDir`, readable while the client has the store open.
    static IdentityKeyPair identityKeyPair(Path deviceDir) {
        try {
            return new IdentityKeyPair(local(deviceDir).get("identity_key_pair"));
        } catch (InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    /// Adds a device to the account of the device in `ownerDir` through the raw API, with real
    /// libsignal keys under `identity`, and leaves a registered device store for it in
    /// `deviceDir`. Returns its device ID.
    static int addDevice(String baseUrl, Path ownerDir, Path deviceDir, IdentityKeyPair identity) {
        var owner = raw(ownerDir);
        try (var db = DeviceStore.open(deviceDir, true)) {
            var local = new LocalState(db);
            int registrationId = KeyHelper.generateRegistrationId(false);
            local.saveKeys(identity, registrationId);
            var keys = new PreKeys(db, new SignalStore(db, local, name -> {}), local).initial(5);
            var r = new TestClient(baseUrl).post("/v1/devices", new AddDeviceRequest(registrationId, "new laptop", keys), owner);
            assertThat(r.status()).isEqualTo(200);
            var added = r.as(AddDeviceResponse.class);
            local.saveRegistration(new Identity(owner.accountId(), owner.username(), added.deviceId(), URI.create(baseUrl)),
                    added.credential());
            return added.deviceId();
        }
    }

    private static Map<String, byte[]> local(Path deviceDir) {
        Map<String, byte[]> local = new HashMap<>();
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + deviceDir.resolve(DeviceStore.FILE_NAME));
             var rs = c.createStatement().executeQuery("SELECT name, value FROM local")) {
            while (rs.next()) local.put(rs.getString(1), rs.getBytes(2));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return local;
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /// A local port with nothing listening on it (bound once, then released).
    static int deadPort() {
        try (var s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
