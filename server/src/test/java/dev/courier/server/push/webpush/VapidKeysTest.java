package dev.courier.server.push.webpush;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.courier.protocol.webpush.P256;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.Signature;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VapidKeysTest {
    @TempDir
    Path dataDir;

    @Test
    void firstStartCreatesAKeyThatLaterStartsLoadUnchanged() throws Exception {
        VapidKeys created = VapidKeys.loadOrCreate(dataDir);
        VapidKeys reloaded = VapidKeys.loadOrCreate(dataDir);

        assertThat(Files.exists(dataDir.resolve(VapidKeys.FILE_NAME))).isTrue();
        assertThat(reloaded.publicKey()).isEqualTo(created.publicKey());
        assertThat(P256.encodePrivate(reloaded.privateKey())).isEqualTo(P256.encodePrivate(created.privateKey()));
        try (var files = Files.list(dataDir)) {
            assertThat(files).as("no temporary file is left behind").containsExactly(dataDir.resolve(VapidKeys.FILE_NAME));
        }
    }

    @Test
    void keyFileIsReadableByTheOwnerOnly() throws Exception {
        assumeTrue(dataDir.getFileSystem().supportedFileAttributeViews().contains("posix"));

        VapidKeys.loadOrCreate(dataDir);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve(VapidKeys.FILE_NAME))))
                .isEqualTo("rw-------");
    }

    @Test
    void missingDataDirectoryIsCreated() {
        Path nested = dataDir.resolve("a/b");

        VapidKeys.loadOrCreate(nested);

        assertThat(Files.exists(nested.resolve(VapidKeys.FILE_NAME))).isTrue();
    }

    @Test
    void publicKeyIsAnUncompressedPointInUnpaddedBase64Url() throws Exception {
        VapidKeys keys = VapidKeys.loadOrCreate(dataDir);

        assertThat(keys.publicKey()).hasSize(65).startsWith((byte) 0x04);
        assertThat(keys.publicKeyBase64Url()).hasSize(87).doesNotContain("=", "+", "/");
        assertThat(P256.fromBase64Url(keys.publicKeyBase64Url())).isEqualTo(keys.publicKey());
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(keys.privateKey());
        signer.update(new byte[] {1, 2, 3});
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(P256.decodePoint(keys.publicKey()));
        verifier.update(new byte[] {1, 2, 3});
        assertThat(verifier.verify(signer.sign())).isTrue();
    }

    @Test
    void corruptKeyFileFailsTheStartInsteadOfBeingReplaced() throws Exception {
        Path file = dataDir.resolve(VapidKeys.FILE_NAME);
        Files.writeString(file, "not a key");

        assertThatThrownBy(() -> VapidKeys.loadOrCreate(dataDir))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("PRIVATE KEY");
        assertThat(Files.readString(file)).isEqualTo("not a key");
    }

    @Test
    void keyFileWhosePrivateAndPublicKeysDifferIsRefused() throws Exception {
        VapidKeys.loadOrCreate(dataDir);
        Path file = dataDir.resolve(VapidKeys.FILE_NAME);
        String pem = Files.readString(file);
        KeyPair other = P256.generateKeyPair();
        String otherPublic = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(other.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        Files.writeString(file, pem.substring(0, pem.indexOf("-----BEGIN PUBLIC KEY-----")) + otherPublic);

        assertThatThrownBy(() -> VapidKeys.loadOrCreate(dataDir))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("do not belong together");
    }

    @Test
    void toStringShowsOnlyThePublicKey() {
        VapidKeys keys = VapidKeys.loadOrCreate(dataDir);

        assertThat(keys.toString()).isEqualTo("VapidKeys[public=" + keys.publicKeyBase64Url() + "]");
    }
}
