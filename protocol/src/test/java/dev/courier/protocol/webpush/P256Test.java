package dev.courier.protocol.webpush;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class P256Test {
    @Test
    void pointRoundTripsThroughItsUncompressedEncoding() {
        KeyPair pair = P256.generateKeyPair();
        ECPublicKey key = (ECPublicKey) pair.getPublic();

        byte[] point = P256.encodePoint(key);

        assertThat(point).hasSize(65);
        assertThat(point[0]).isEqualTo((byte) 0x04);
        assertThat(P256.decodePoint(point).getW()).isEqualTo(key.getW());
    }

    @Test
    void privateScalarRoundTrips() {
        ECPrivateKey key = (ECPrivateKey) P256.generateKeyPair().getPrivate();

        byte[] scalar = P256.encodePrivate(key);

        assertThat(scalar).hasSize(32);
        assertThat(P256.privateKey(scalar).getS()).isEqualTo(key.getS());
    }

    @Test
    void pointsThatAreNotOnTheCurveAreRefused() {
        byte[] point = P256.encodePoint((ECPublicKey) P256.generateKeyPair().getPublic());
        point[40] ^= 0x10;

        assertThatThrownBy(() -> P256.decodePoint(point)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> P256.decodePoint(new byte[65])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("uncompressed");
        assertThatThrownBy(() -> P256.decodePoint(new byte[33])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("65 bytes");
    }

    @Test
    void scalarsOutOfRangeAreRefused() {
        assertThatThrownBy(() -> P256.privateKey(new byte[32])).isInstanceOf(IllegalArgumentException.class);
        byte[] tooLarge = new byte[32];
        Arrays.fill(tooLarge, (byte) 0xff);
        assertThatThrownBy(() -> P256.privateKey(tooLarge)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void base64UrlIsUnpaddedAndAcceptsPaddedInput() {
        byte[] bytes = {(byte) 0xfb, (byte) 0xff, 0x01, 0x02};

        assertThat(P256.base64Url(bytes)).isEqualTo("-_8BAg");
        assertThat(P256.fromBase64Url("-_8BAg==")).isEqualTo(bytes);
    }
}
