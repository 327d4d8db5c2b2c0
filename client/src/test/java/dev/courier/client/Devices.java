package dev.courier.client;

import dev.courier.client.internal.store.DeviceStore;
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
        Map<String, byte[]> local = new HashMap<>();
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + deviceDir.resolve(DeviceStore.FILE_NAME));
             var rs = c.createStatement().executeQuery("SELECT name, value FROM local")) {
            while (rs.next()) local.put(rs.getString(1), rs.getBytes(2));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return new TestClient.Device(UUID.fromString(text(local.get("account_id"))), ByteBuffer.wrap(local.get("device_id")).getInt(),
                text(local.get("credential")), text(local.get("username")), ByteBuffer.wrap(local.get("registration_id")).getInt());
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
