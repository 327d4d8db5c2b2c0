package dev.courier.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.client.internal.store.DeviceStore;
import dev.courier.server.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// The device store holds private keys and plaintext history: only its owner may read it.
class DeviceStoreHygieneTest {
    private static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    @TempDir
    Path dir;
    private TestServer server;

    @BeforeEach
    void startServer() {
        server = new TestServer();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void theDeviceDirectoryIs0700AndItsDatabaseFilesAre0600() throws Exception {
        try (var alice = Devices.register(dir, server.baseUrl(), "alice");
             var bob = Devices.register(dir, server.baseUrl(), "bob")) {
            bob.connect(Duration.ofSeconds(10));
            alice.connect(Duration.ofSeconds(10));
            var sent = alice.send("bob", "private history");
            assertThat(alice.awaitStatus(sent.id(), MessageStatus.DELIVERED, Duration.ofSeconds(10))).isEqualTo(MessageStatus.DELIVERED);

            for (String name : List.of("alice", "bob")) {
                Path deviceDir = dir.resolve(name);
                assertThat(Files.getPosixFilePermissions(deviceDir)).as(name + "'s directory").isEqualTo(DIR);
                assertThat(Files.getPosixFilePermissions(deviceDir.resolve(DeviceStore.FILE_NAME))).as(name + "'s device.db").isEqualTo(FILE);
                // The WAL and shared-memory files hold the same secrets while the store is open.
                List<Path> files = filesIn(deviceDir);
                assertThat(files).extracting(p -> p.getFileName().toString()).contains(DeviceStore.FILE_NAME + "-wal");
                for (Path f : files) assertThat(Files.getPosixFilePermissions(f)).as(f.toString()).isEqualTo(FILE);
            }
        }
    }

    @Test
    void registeringIntoAnExistingOpenDirectoryTightensIt() throws Exception {
        Path deviceDir = dir.resolve("carol");
        Files.createDirectories(deviceDir);
        Files.setPosixFilePermissions(deviceDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (var carol = CourierClient.register(deviceDir, java.net.URI.create(server.baseUrl()), "carol", null)) {
            assertThat(Files.getPosixFilePermissions(deviceDir)).isEqualTo(DIR);
            assertThat(Files.getPosixFilePermissions(deviceDir.resolve(DeviceStore.FILE_NAME))).isEqualTo(FILE);
        }
    }

    @Test
    void openingADeviceRestoresPermissionsThatWereLoosened() throws Exception {
        Path deviceDir = dir.resolve("dave");
        Devices.register(dir, server.baseUrl(), "dave").close();
        Files.setPosixFilePermissions(deviceDir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(deviceDir.resolve(DeviceStore.FILE_NAME), PosixFilePermissions.fromString("rw-rw-rw-"));
        try (var dave = CourierClient.open(deviceDir)) {
            assertThat(dave.whoami().username()).isEqualTo("dave");
            assertThat(Files.getPosixFilePermissions(deviceDir)).isEqualTo(DIR);
            assertThat(Files.getPosixFilePermissions(deviceDir.resolve(DeviceStore.FILE_NAME))).isEqualTo(FILE);
        }
    }

    private static List<Path> filesIn(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.toList();
        }
    }
}
