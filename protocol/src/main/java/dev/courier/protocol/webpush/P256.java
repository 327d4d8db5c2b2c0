package dev.courier.protocol.webpush;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;

/// NIST P-256 (secp256r1) keys in the forms Web Push uses: a public key is the 65-byte
/// uncompressed point `0x04 || X || Y` (SEC 1 §2.3.3; the `p256dh` of a subscription and the
/// `k` of VAPID), a private key the raw 32-byte scalar, and both travel as unpadded base64url
/// (RFC 7515 §2).
///
/// Decoding checks that a point lies on the curve: ECDH with an off-curve point can leak bits
/// of our private key (an invalid-curve attack), so no point from the network reaches
/// `KeyAgreement` unchecked.
public final class P256 {
    /// Length of an uncompressed point.
    public static final int POINT_LENGTH = 65;
    /// Length of a coordinate or a scalar.
    public static final int SCALAR_LENGTH = 32;

    private static final ECParameterSpec PARAMS = curveParameters();
    private static final BigInteger P = ((ECFieldFp) PARAMS.getCurve().getField()).getP();
    private static final BigInteger A = PARAMS.getCurve().getA();
    private static final BigInteger B = PARAMS.getCurve().getB();

    private P256() {}

    /// The curve's domain parameters, as the JDK names them.
    public static ECParameterSpec parameters() {
        return PARAMS;
    }

    /// A fresh key pair from the JDK's default `SecureRandom`.
    public static KeyPair generateKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(PARAMS);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot generate P-256 keys", e);
        }
    }

    /// `0x04 || X || Y`, each coordinate left-padded to 32 bytes.
    public static byte[] encodePoint(ECPublicKey key) {
        requireP256(key.getParams());
        ECPoint w = key.getW();
        byte[] out = new byte[POINT_LENGTH];
        out[0] = 0x04;
        writeUnsigned(w.getAffineX(), out, 1);
        writeUnsigned(w.getAffineY(), out, 1 + SCALAR_LENGTH);
        return out;
    }

    /// The public key for an uncompressed point.
    ///
    /// @throws IllegalArgumentException if it is not 65 bytes, not uncompressed, or not on the curve
    public static ECPublicKey decodePoint(byte[] point) {
        if (point == null || point.length != POINT_LENGTH) {
            throw new IllegalArgumentException("a P-256 public key is 65 bytes, got "
                    + (point == null ? "none" : point.length));
        }
        if (point[0] != 0x04) {
            throw new IllegalArgumentException("a P-256 public key must be an uncompressed point (0x04 prefix)");
        }
        BigInteger x = new BigInteger(1, Arrays.copyOfRange(point, 1, 1 + SCALAR_LENGTH));
        BigInteger y = new BigInteger(1, Arrays.copyOfRange(point, 1 + SCALAR_LENGTH, POINT_LENGTH));
        if (x.compareTo(P) >= 0 || y.compareTo(P) >= 0 || !onCurve(x, y)) {
            throw new IllegalArgumentException("the P-256 public key is not a point on the curve");
        }
        try {
            return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(x, y), PARAMS));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the P-256 public key was refused: " + e.getMessage(), e);
        }
    }

    /// The private key for a raw big-endian scalar.
    ///
    /// @throws IllegalArgumentException if it is not 32 bytes or not in `[1, n-1]`
    public static ECPrivateKey privateKey(byte[] scalar) {
        if (scalar == null || scalar.length != SCALAR_LENGTH) {
            throw new IllegalArgumentException("a P-256 private key is 32 bytes");
        }
        BigInteger s = new BigInteger(1, scalar);
        if (s.signum() == 0 || s.compareTo(PARAMS.getOrder()) >= 0) {
            throw new IllegalArgumentException("the P-256 private key is out of range");
        }
        try {
            return (ECPrivateKey) KeyFactory.getInstance("EC").generatePrivate(new ECPrivateKeySpec(s, PARAMS));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the P-256 private key was refused: " + e.getMessage(), e);
        }
    }

    /// The raw 32-byte scalar of a private key.
    public static byte[] encodePrivate(ECPrivateKey key) {
        requireP256(key.getParams());
        byte[] out = new byte[SCALAR_LENGTH];
        writeUnsigned(key.getS(), out, 0);
        return out;
    }

    /// Unpadded base64url, as Web Push and JOSE write binary values.
    public static String base64Url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /// Decodes base64url with or without padding (browsers' `getKey()` output is unpadded,
    /// some libraries pad).
    ///
    /// @throws IllegalArgumentException if it is not base64url
    public static byte[] fromBase64Url(String text) {
        return Base64.getUrlDecoder().decode(text);
    }

    private static boolean onCurve(BigInteger x, BigInteger y) {
        BigInteger left = y.multiply(y).mod(P);
        BigInteger right = x.pow(3).add(A.multiply(x)).add(B).mod(P);
        return left.equals(right);
    }

    private static void requireP256(ECParameterSpec params) {
        if (params.getCurve().equals(PARAMS.getCurve()) && params.getGenerator().equals(PARAMS.getGenerator())) {
            return;
        }
        throw new IllegalArgumentException("the key is not on P-256");
    }

    /// Writes `value` big-endian into exactly 32 bytes at `offset`, dropping the sign byte
    /// `BigInteger` adds and padding short values with leading zeros.
    private static void writeUnsigned(BigInteger value, byte[] out, int offset) {
        byte[] raw = value.toByteArray();
        int start = raw.length > SCALAR_LENGTH ? raw.length - SCALAR_LENGTH : 0;
        int len = raw.length - start;
        System.arraycopy(raw, start, out, offset + SCALAR_LENGTH - len, len);
    }

    private static ECParameterSpec curveParameters() {
        try {
            AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
            params.init(new ECGenParameterSpec("secp256r1"));
            return params.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK does not know P-256", e);
        }
    }
}
