package dev.courier.protocol.webpush;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.KDF;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.HKDFParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/// Message encryption for Web Push, RFC 8291: the plaintext of a push message is encrypted to
/// the user agent's `p256dh` key and `auth` secret, so the push service in between carries bytes
/// it cannot read.
///
/// The body is one `aes128gcm` record (RFC 8188 §2) behind the RFC 8188 header, whose key id is
/// the application server's ephemeral public key (RFC 8291 §4):
///
/// ```
/// salt (16) | rs (4, big-endian) | idlen (1) = 65 | keyid = as_public (65) | record
/// ```
///
/// Keys come from ECDH and HKDF-SHA256 in two steps (RFC 8291 §3.3, §3.4): the ECDH secret is
/// bound to the auth secret and both public keys into `IKM`, and RFC 8188 §2.2/§2.3 then derive
/// the content-encryption key and nonce from `IKM` and the salt. The record is the plaintext, the
/// last-record delimiter `0x02` and no further padding.
///
/// All methods are static and thread-safe.
public final class WebPushCrypto {
    /// The record size we write. RFC 8291 §4 asks push services to accept 4096-byte bodies, and
    /// the Appendix A example uses this value.
    public static final int RECORD_SIZE = 4096;
    /// Header length: salt, record size, key-id length and the 65-byte key id.
    public static final int HEADER_LENGTH = 16 + 4 + 1 + P256.POINT_LENGTH;
    /// The most plaintext that fits a 4096-byte body: RFC 8291 §4 gives 3993 octets, after the
    /// header, the 16-byte GCM tag and the one-byte padding delimiter.
    public static final int MAX_PLAINTEXT = RECORD_SIZE - HEADER_LENGTH - 16 - 1;
    /// Length of the user agent's authentication secret (RFC 8291 §3.2).
    public static final int AUTH_SECRET_LENGTH = 16;

    private static final int SALT_LENGTH = 16;
    private static final int TAG_BITS = 128;
    private static final int TAG_LENGTH = TAG_BITS / 8;
    private static final byte LAST_RECORD = 0x02;
    private static final byte[] KEY_INFO_PREFIX = "WebPush: info\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CEK_INFO = "Content-Encoding: aes128gcm\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NONCE_INFO = "Content-Encoding: nonce\0".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    private WebPushCrypto() {}

    /// Encrypts `plaintext` to a subscription, with a fresh ephemeral key pair and salt.
    ///
    /// @param uaPublicKey the subscription's `p256dh`: a 65-byte uncompressed P-256 point
    /// @param authSecret the subscription's `auth`: 16 bytes
    /// @return the complete request body, to be sent with `Content-Encoding: aes128gcm`
    /// @throws IllegalArgumentException if a key is malformed or the plaintext exceeds [#MAX_PLAINTEXT]
    public static byte[] encrypt(byte[] plaintext, byte[] uaPublicKey, byte[] authSecret) {
        byte[] salt = new byte[SALT_LENGTH];
        RANDOM.nextBytes(salt);
        return encrypt(plaintext, uaPublicKey, authSecret, P256.generateKeyPair(), salt, RECORD_SIZE);
    }

    /// [#encrypt(byte[], byte[], byte[])] with the ephemeral key pair, salt and record size given,
    /// so a test can reproduce RFC 8291 Appendix A byte for byte. Reusing a key pair and salt
    /// reuses the GCM key and nonce, so nothing but a test may call this.
    static byte[] encrypt(byte[] plaintext, byte[] uaPublicKey, byte[] authSecret, KeyPair ephemeral, byte[] salt,
            int recordSize) {
        if (plaintext.length > MAX_PLAINTEXT || plaintext.length + 1 + TAG_LENGTH > recordSize) {
            throw new IllegalArgumentException("a push message holds at most " + MAX_PLAINTEXT
                    + " bytes of plaintext, got " + plaintext.length);
        }
        requireAuthSecret(authSecret);
        if (salt.length != SALT_LENGTH) {
            throw new IllegalArgumentException("the salt is 16 bytes");
        }
        ECPublicKey uaPublic = P256.decodePoint(uaPublicKey);
        byte[] asPublic = P256.encodePoint((ECPublicKey) ephemeral.getPublic());
        Keys keys = deriveKeys(ecdh((ECPrivateKey) ephemeral.getPrivate(), uaPublic), authSecret, uaPublicKey,
                asPublic, salt);

        byte[] record = Arrays.copyOf(plaintext, plaintext.length + 1);
        record[plaintext.length] = LAST_RECORD;
        byte[] ciphertext;
        try {
            ciphertext = gcm(Cipher.ENCRYPT_MODE, keys).doFinal(record);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
        return ByteBuffer.allocate(HEADER_LENGTH + ciphertext.length)
                .put(salt)
                .putInt(recordSize)
                .put((byte) P256.POINT_LENGTH)
                .put(asPublic)
                .put(ciphertext)
                .array();
    }

    /// Decrypts a push message body as the user agent does (RFC 8291 §3.4, RFC 8188 §2).
    ///
    /// @param uaPrivate the subscription's private key
    /// @param uaPublicKey the subscription's `p256dh`, which the key derivation binds in
    /// @param authSecret the subscription's `auth`
    /// @return the plaintext, without padding
    /// @throws WebPushCryptoException if the body is malformed, has more than one record, or does
    ///         not authenticate under these keys
    public static byte[] decrypt(byte[] body, ECPrivateKey uaPrivate, byte[] uaPublicKey, byte[] authSecret)
            throws WebPushCryptoException {
        if (authSecret == null || authSecret.length != AUTH_SECRET_LENGTH) {
            throw new WebPushCryptoException("the auth secret is 16 bytes");
        }
        if (body == null || body.length < HEADER_LENGTH) {
            throw new WebPushCryptoException("the body is shorter than the aes128gcm header ("
                    + HEADER_LENGTH + " bytes)");
        }
        ByteBuffer in = ByteBuffer.wrap(body);
        byte[] salt = new byte[SALT_LENGTH];
        in.get(salt);
        long recordSize = Integer.toUnsignedLong(in.getInt());
        int idLength = Byte.toUnsignedInt(in.get());
        if (idLength != P256.POINT_LENGTH) {
            throw new WebPushCryptoException("the key id must be a 65-byte P-256 public key, its length is " + idLength);
        }
        byte[] asPublic = new byte[P256.POINT_LENGTH];
        in.get(asPublic);
        if (recordSize < TAG_LENGTH + 2) {
            throw new WebPushCryptoException("the record size " + recordSize + " is below the minimum of 18");
        }
        int recordLength = in.remaining();
        if (recordLength < TAG_LENGTH + 1) {
            throw new WebPushCryptoException("the body is truncated: no complete record after the header");
        }
        if (recordLength > recordSize) {
            throw new WebPushCryptoException("the body holds more than one record; RFC 8291 allows one");
        }
        ECPublicKey asKey;
        try {
            P256.decodePoint(uaPublicKey);
        } catch (IllegalArgumentException e) {
            throw new WebPushCryptoException("the user agent's public key is malformed: " + e.getMessage());
        }
        try {
            asKey = P256.decodePoint(asPublic);
        } catch (IllegalArgumentException e) {
            throw new WebPushCryptoException("the sender's public key in the header is malformed: " + e.getMessage());
        }
        byte[] secret;
        try {
            secret = ecdh(uaPrivate, asKey);
        } catch (IllegalArgumentException e) {
            throw new WebPushCryptoException("the key agreement failed: " + e.getMessage());
        }
        Keys keys = deriveKeys(secret, authSecret, uaPublicKey, asPublic, salt);
        byte[] record;
        try {
            record = gcm(Cipher.DECRYPT_MODE, keys).doFinal(body, HEADER_LENGTH, recordLength);
        } catch (AEADBadTagException e) {
            throw new WebPushCryptoException("the message does not authenticate: tampered with, or not for these keys");
        } catch (GeneralSecurityException e) {
            throw new WebPushCryptoException("the message could not be decrypted: " + e.getMessage());
        }
        return unpad(record);
    }

    /// Strips RFC 8188 §2 padding: the plaintext is followed by one delimiter and any number of
    /// zeros, and the delimiter of the last (here, only) record is `0x02`.
    private static byte[] unpad(byte[] record) throws WebPushCryptoException {
        int i = record.length - 1;
        while (i >= 0 && record[i] == 0) {
            i--;
        }
        if (i < 0) {
            throw new WebPushCryptoException("the record has no padding delimiter");
        }
        if (record[i] != LAST_RECORD) {
            throw new WebPushCryptoException("the record is not marked as the last one (delimiter "
                    + Byte.toUnsignedInt(record[i]) + ", expected 2)");
        }
        return Arrays.copyOf(record, i);
    }

    private record Keys(byte[] cek, byte[] nonce) {}

    /// RFC 8291 §3.4 then RFC 8188 §2.2 and §2.3:
    ///
    /// ```
    /// IKM   = HKDF(salt = auth_secret, IKM = ecdh_secret, info = "WebPush: info" 0x00 ua_public as_public, L = 32)
    /// CEK   = HKDF(salt, IKM, "Content-Encoding: aes128gcm" 0x00, 16)
    /// NONCE = HKDF(salt, IKM, "Content-Encoding: nonce" 0x00, 12)
    /// ```
    ///
    /// With one record the sequence number is 0, so the nonce is used as derived.
    private static Keys deriveKeys(byte[] ecdhSecret, byte[] authSecret, byte[] uaPublic, byte[] asPublic, byte[] salt) {
        byte[] keyInfo = ByteBuffer.allocate(KEY_INFO_PREFIX.length + 2 * P256.POINT_LENGTH)
                .put(KEY_INFO_PREFIX)
                .put(uaPublic)
                .put(asPublic)
                .array();
        byte[] ikm = hkdf(authSecret, ecdhSecret, keyInfo, 32);
        return new Keys(hkdf(salt, ikm, CEK_INFO, 16), hkdf(salt, ikm, NONCE_INFO, 12));
    }

    private static byte[] hkdf(byte[] salt, byte[] ikm, byte[] info, int length) {
        try {
            return KDF.getInstance("HKDF-SHA256")
                    .deriveData(HKDFParameterSpec.ofExtract().addIKM(ikm).addSalt(salt).thenExpand(info, length));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no HKDF-SHA256", e);
        }
    }

    private static byte[] ecdh(ECPrivateKey privateKey, ECPublicKey publicKey) {
        try {
            KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
            agreement.init(privateKey);
            agreement.doPhase(publicKey, true);
            return agreement.generateSecret();
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException("ECDH refused the key: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no ECDH", e);
        }
    }

    private static Cipher gcm(int mode, Keys keys) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, new SecretKeySpec(keys.cek(), "AES"), new GCMParameterSpec(TAG_BITS, keys.nonce()));
        return cipher;
    }

    private static void requireAuthSecret(byte[] authSecret) {
        if (authSecret == null || authSecret.length != AUTH_SECRET_LENGTH) {
            throw new IllegalArgumentException("the auth secret is 16 bytes, got "
                    + (authSecret == null ? "none" : authSecret.length));
        }
    }
}
