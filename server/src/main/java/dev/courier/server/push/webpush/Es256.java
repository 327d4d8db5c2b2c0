package dev.courier.server.push.webpush;

import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;

/// ES256 signatures in the form JOSE wants (RFC 7518 §3.4): the 32-byte R and the 32-byte S
/// concatenated, 64 bytes. The JDK's `SHA256withECDSA` writes the ASN.1 DER
/// `SEQUENCE { INTEGER r, INTEGER s }` instead, whose integers are as short as their value
/// allows and gain a leading zero byte when their top bit is set, so they are re-laid here.
final class Es256 {
    static final int SIGNATURE_LENGTH = 64;
    private static final int PART = 32;

    private Es256() {}

    static byte[] sign(ECPrivateKey key, byte[] data) {
        try {
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(key);
            signer.update(data);
            return derToJose(signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ES256 signing failed", e);
        }
    }

    /// `SEQUENCE { INTEGER r, INTEGER s }` to `R || S`.
    ///
    /// @throws IllegalArgumentException if `der` is not such a sequence with 256-bit integers
    static byte[] derToJose(byte[] der) {
        if (der.length < 8 || der[0] != 0x30) {
            throw new IllegalArgumentException("not a DER ECDSA signature");
        }
        int pos = 1;
        int sequenceLength = der[pos++] & 0xff;
        if (sequenceLength == 0x81) {
            sequenceLength = der[pos++] & 0xff;
        } else if (sequenceLength > 0x7f) {
            throw new IllegalArgumentException("DER ECDSA signature length is malformed");
        }
        if (pos + sequenceLength != der.length) {
            throw new IllegalArgumentException("DER ECDSA signature length does not match its content");
        }
        byte[] jose = new byte[SIGNATURE_LENGTH];
        pos = copyInteger(der, pos, jose, 0);
        pos = copyInteger(der, pos, jose, PART);
        if (pos != der.length) {
            throw new IllegalArgumentException("DER ECDSA signature has trailing bytes");
        }
        return jose;
    }

    /// Copies the INTEGER at `pos` right-aligned into 32 bytes of `out`; returns the position
    /// after it.
    private static int copyInteger(byte[] der, int pos, byte[] out, int offset) {
        if (pos + 2 > der.length || der[pos] != 0x02) {
            throw new IllegalArgumentException("DER ECDSA signature lacks an INTEGER");
        }
        int length = der[pos + 1] & 0xff;
        int start = pos + 2;
        int end = start + length;
        if (length == 0 || length > PART + 1 || end > der.length) {
            throw new IllegalArgumentException("DER ECDSA signature INTEGER has a bad length");
        }
        while (start < end - 1 && der[start] == 0) {
            start++;
        }
        if (end - start > PART) {
            throw new IllegalArgumentException("DER ECDSA signature INTEGER exceeds 256 bits");
        }
        System.arraycopy(der, start, out, offset + PART - (end - start), end - start);
        return end;
    }
}
