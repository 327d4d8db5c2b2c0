package dev.courier.server.push.webpush;

import dev.courier.protocol.webpush.P256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/// The server's VAPID key pair (RFC 8292 §3.2): the P-256 key it signs push requests with. Its
/// public half is the `applicationServerKey` a client passes to `PushManager.subscribe()` (or its
/// UnifiedPush equivalent), and push services may bind a subscription to it, so it must outlive
/// restarts: losing it orphans every subscription.
///
/// It is created at first start and kept in `<dataDir>/vapid-key.pem` as two PEM blocks, the
/// PKCS#8 private key and the X.509 public key (the JDK cannot derive one from the other, and
/// `openssl pkey` reads the file as it is). The file is written to a temporary file and moved into
/// place atomically, so a crash leaves either no key or a whole one, and it is readable by the
/// owner only where the file system has POSIX permissions.
///
/// Immutable and thread-safe. `toString()` shows only the public key.
public final class VapidKeys {
    /// The file in the data directory.
    public static final String FILE_NAME = "vapid-key.pem";

    private static final Pattern PEM_BLOCK =
            Pattern.compile("-----BEGIN ([A-Z ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)-----END \\1-----");
    private static final String OWNER_ONLY = "rw-------";

    private final ECPrivateKey privateKey;
    private final byte[] encodedPublicKey;

    private VapidKeys(ECPrivateKey privateKey, ECPublicKey publicKey) {
        this.privateKey = privateKey;
        this.encodedPublicKey = P256.encodePoint(publicKey);
    }

    /// Loads the key pair from `dataDir`, or creates, stores and returns a new one if there is none.
    ///
    /// @throws IllegalStateException if the file exists but does not hold a matching P-256 pair;
    ///         it is never overwritten, since replacing the key would orphan every subscription
    /// @throws UncheckedIOException if the file cannot be read or written
    public static VapidKeys loadOrCreate(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME);
        try {
            return parse(Files.readString(file, StandardCharsets.US_ASCII), file);
        } catch (NoSuchFileException absent) {
            return create(dataDir, file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the VAPID key " + file, e);
        }
    }

    /// A key pair held only in memory, for tests and tools.
    public static VapidKeys of(KeyPair pair) {
        ECPrivateKey priv = (ECPrivateKey) pair.getPrivate();
        ECPublicKey pub = (ECPublicKey) pair.getPublic();
        requireMatching(priv, pub, "the given key pair");
        return new VapidKeys(priv, pub);
    }

    /// The 65-byte uncompressed public point.
    public byte[] publicKey() {
        return encodedPublicKey.clone();
    }

    /// The public key as unpadded base64url: the `k` of the `vapid` scheme and what clients read
    /// as the `applicationServerKey`.
    public String publicKeyBase64Url() {
        return P256.base64Url(encodedPublicKey);
    }

    ECPrivateKey privateKey() {
        return privateKey;
    }

    @Override
    public String toString() {
        return "VapidKeys[public=" + publicKeyBase64Url() + "]";
    }

    /// A new key pair in the PEM form [#fromPem] reads: for a store other than the data directory.
    public static String newPem() {
        KeyPair pair = P256.generateKeyPair();
        return pem("PRIVATE KEY", pair.getPrivate().getEncoded()) + pem("PUBLIC KEY", pair.getPublic().getEncoded());
    }

    /// Reads keys written by [#newPem]; `where` names their origin in error messages.
    public static VapidKeys fromPem(String pem, String where) {
        return parse(pem, where);
    }

    private static VapidKeys create(Path dataDir, Path file) {
        KeyPair pair = P256.generateKeyPair();
        String pem = pem("PRIVATE KEY", pair.getPrivate().getEncoded()) + pem("PUBLIC KEY", pair.getPublic().getEncoded());
        try {
            Files.createDirectories(dataDir);
            writeAtomically(file, pem.getBytes(StandardCharsets.US_ASCII));
        } catch (FileAlreadyExistsException raced) {
            // Another process created it first; its key is the one to use.
            try {
                return parse(Files.readString(file, StandardCharsets.US_ASCII), file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the VAPID key " + file, e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the new VAPID key in " + file, e);
        }
        return of(pair);
    }

    /// Writes to a private temporary file beside `target`, forces it to disk, then renames it.
    /// The rename is atomic, so a reader sees no key or the whole key.
    private static void writeAtomically(Path target, byte[] content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        FileAttribute<?>[] attributes = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(OWNER_ONLY))}
                : new FileAttribute<?>[0];
        Path temp = Files.createTempFile(dir, FILE_NAME, ".tmp", attributes);
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(content));
                channel.force(true);
            }
            try {
                // link(2) is atomic and, unlike rename(2), refuses to replace an existing key.
                Files.createLink(target, temp);
            } catch (UnsupportedOperationException noHardLinks) {
                if (Files.exists(target)) {
                    throw new FileAlreadyExistsException(target.toString());
                }
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        syncDirectory(dir);
    }

    /// Makes the new directory entry durable, so a power cut cannot take back a key that clients
    /// may already have subscribed with. Not every platform can open a directory; there the
    /// file system's own ordering is all we get.
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Not supported here (e.g. Windows); the file itself is already forced.
        }
    }

    private static VapidKeys parse(String text, Path file) {
        return parse(text, file.toString());
    }

    private static VapidKeys parse(String text, String file) {
        byte[] privateDer = null;
        byte[] publicDer = null;
        Matcher m = PEM_BLOCK.matcher(text);
        while (m.find()) {
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            switch (m.group(1)) {
                case "PRIVATE KEY" -> privateDer = der;
                case "PUBLIC KEY" -> publicDer = der;
                default -> { }
            }
        }
        if (privateDer == null || publicDer == null) {
            throw new IllegalStateException(file + " must hold a PEM PRIVATE KEY and PUBLIC KEY block;"
                    + " restore it from a backup (a new key would orphan every push subscription)");
        }
        try {
            KeyFactory ec = KeyFactory.getInstance("EC");
            ECPrivateKey priv = (ECPrivateKey) ec.generatePrivate(new PKCS8EncodedKeySpec(privateDer));
            ECPublicKey pub = (ECPublicKey) ec.generatePublic(new X509EncodedKeySpec(publicDer));
            P256.encodePoint(pub); // refuses a key on another curve
            requireMatching(priv, pub, file);
            return new VapidKeys(priv, pub);
        } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            throw new IllegalStateException(file + " does not hold a P-256 key pair: " + e.getMessage(), e);
        }
    }

    /// A private key that does not belong to its public key would sign JWTs every push service
    /// refuses; better to fail at start-up than on the first wake-up.
    private static void requireMatching(ECPrivateKey priv, ECPublicKey pub, String where) {
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(priv);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance("SHA256withECDSA");
            verifier.initVerify(pub);
            verifier.update(challenge);
            if (verifier.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(where + ": the VAPID key pair cannot sign: " + e.getMessage(), e);
        }
        throw new IllegalStateException(where + ": the VAPID private and public keys do not belong together");
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }
}
