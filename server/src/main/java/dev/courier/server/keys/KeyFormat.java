package dev.courier.server.keys;

import dev.courier.protocol.PreKey;
import dev.courier.protocol.SignedPreKey;
import dev.courier.server.ServiceException;

/// Shape checks for published keys. The server is not part of the crypto: it checks only that
/// each key is the right kind of libsignal serialization (type byte and length), so that garbage
/// is refused early and one device cannot fill another's bundle with junk of unbounded size.
public final class KeyFormat {
    /// libsignal `ECPublicKey.serialize()`: type byte 0x05 (Curve25519) then 32 bytes.
    static final int EC_TYPE = 0x05;
    static final int EC_LENGTH = 33;
    /// libsignal `KEMPublicKey.serialize()` for Kyber-1024: type byte 0x08 then 1,568 bytes.
    static final int KYBER_1024_TYPE = 0x08;
    static final int KYBER_1024_LENGTH = 1569;
    /// XEdDSA signatures are 64 bytes.
    static final int SIGNATURE_LENGTH = 64;
    /// Key IDs are 24-bit in libsignal's wire format (`Medium.MAX_VALUE`).
    static final int MAX_KEY_ID = 0xFFFFFF;

    private KeyFormat() {}

    public static void checkIdentityKey(byte[] key) {
        checkEc("identityKey", key);
    }

    public static void checkSignedEcKey(String field, SignedPreKey key) {
        if (key == null) throw invalid(field + " is required");
        checkKeyId(field, key.keyId());
        checkEc(field + ".publicKey", key.publicKey());
        checkSignature(field, key.signature());
    }

    public static void checkKyberKey(String field, SignedPreKey key) {
        if (key == null) throw invalid(field + " is required");
        checkKeyId(field, key.keyId());
        byte[] pub = key.publicKey();
        if (pub == null || pub.length != KYBER_1024_LENGTH || (pub[0] & 0xFF) != KYBER_1024_TYPE) {
            throw invalid(field + ".publicKey must be a serialized Kyber-1024 key (" + KYBER_1024_LENGTH + " bytes, type 0x08)");
        }
        checkSignature(field, key.signature());
    }

    public static void checkPreKey(String field, PreKey key) {
        if (key == null) throw invalid(field + " must not be null");
        checkKeyId(field, key.keyId());
        checkEc(field + ".publicKey", key.publicKey());
    }

    private static void checkEc(String field, byte[] key) {
        if (key == null || key.length != EC_LENGTH || (key[0] & 0xFF) != EC_TYPE) {
            throw invalid(field + " must be a serialized Curve25519 key (" + EC_LENGTH + " bytes, type 0x05)");
        }
    }

    private static void checkSignature(String field, byte[] signature) {
        if (signature == null || signature.length != SIGNATURE_LENGTH) {
            throw invalid(field + ".signature must be " + SIGNATURE_LENGTH + " bytes");
        }
    }

    private static void checkKeyId(String field, int keyId) {
        if (keyId < 0 || keyId > MAX_KEY_ID) {
            throw invalid(field + ".keyId must be between 0 and " + MAX_KEY_ID);
        }
    }

    private static ServiceException invalid(String message) {
        return ServiceException.badRequest("invalid_key", message);
    }
}
