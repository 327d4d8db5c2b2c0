package dev.courier.protocol.webpush;

import static dev.courier.protocol.webpush.P256.fromBase64Url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebPushCryptoTest {
    // RFC 8291 Appendix A, with the line breaks of the RFC text removed.
    private static final String PLAINTEXT = "When I grow up, I want to be a watermelon";
    private static final String AS_PUBLIC =
            "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
    private static final String AS_PRIVATE = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
    private static final String UA_PUBLIC =
            "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    private static final String UA_PRIVATE = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
    private static final String SALT = "DGv6ra1nlYgDCS1FRnbzlw";
    private static final String AUTH_SECRET = "BTBZMqHH6r4Tts7J_aSIgg";
    private static final String BODY = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27ml"
            + "mlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPT"
            + "pK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

    private static final byte[] MESSAGE = "wake up: 3 envelopes".getBytes(StandardCharsets.UTF_8);

    @Test
    void encryptReproducesRfc8291AppendixAByteForByte() {
        KeyPair ephemeral = new KeyPair(P256.decodePoint(fromBase64Url(AS_PUBLIC)), P256.privateKey(fromBase64Url(AS_PRIVATE)));

        byte[] body = WebPushCrypto.encrypt(PLAINTEXT.getBytes(StandardCharsets.US_ASCII), fromBase64Url(UA_PUBLIC),
                fromBase64Url(AUTH_SECRET), ephemeral, fromBase64Url(SALT), 4096);

        assertThat(P256.base64Url(body)).isEqualTo(BODY);
    }

    @Test
    void decryptOpensTheRfc8291AppendixABody() throws Exception {
        byte[] plaintext = WebPushCrypto.decrypt(fromBase64Url(BODY), P256.privateKey(fromBase64Url(UA_PRIVATE)),
                fromBase64Url(UA_PUBLIC), fromBase64Url(AUTH_SECRET));

        assertThat(new String(plaintext, StandardCharsets.US_ASCII)).isEqualTo(PLAINTEXT);
    }

    @Test
    void randomKeysRoundTrip() throws Exception {
        UserAgent ua = new UserAgent();

        byte[] body = WebPushCrypto.encrypt(MESSAGE, ua.publicKey, ua.auth);

        assertThat(body).hasSize(WebPushCrypto.HEADER_LENGTH + MESSAGE.length + 1 + 16);
        assertThat(WebPushCrypto.decrypt(body, ua.privateKey, ua.publicKey, ua.auth)).isEqualTo(MESSAGE);
    }

    @Test
    void eachEncryptionUsesAFreshSaltAndEphemeralKey() {
        UserAgent ua = new UserAgent();

        byte[] first = WebPushCrypto.encrypt(MESSAGE, ua.publicKey, ua.auth);
        byte[] second = WebPushCrypto.encrypt(MESSAGE, ua.publicKey, ua.auth);

        assertThat(Arrays.copyOf(first, 16)).isNotEqualTo(Arrays.copyOf(second, 16));
        assertThat(Arrays.copyOfRange(first, 21, 86)).isNotEqualTo(Arrays.copyOfRange(second, 21, 86));
    }

    @Test
    void largestPlaintextFillsA4096ByteBodyAndOneByteMoreIsRefused() throws Exception {
        UserAgent ua = new UserAgent();
        byte[] largest = new byte[WebPushCrypto.MAX_PLAINTEXT];

        byte[] body = WebPushCrypto.encrypt(largest, ua.publicKey, ua.auth);

        assertThat(WebPushCrypto.MAX_PLAINTEXT).isEqualTo(3993);
        assertThat(body).hasSize(4096);
        assertThat(WebPushCrypto.decrypt(body, ua.privateKey, ua.publicKey, ua.auth)).isEqualTo(largest);
        assertThatThrownBy(() -> WebPushCrypto.encrypt(new byte[3994], ua.publicKey, ua.auth))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("3993");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 15, 20, 50, 85, 86, 110, 122})
    void aFlippedBitAnywhereInTheBodyIsRefused(int index) {
        UserAgent ua = new UserAgent();
        byte[] body = WebPushCrypto.encrypt(MESSAGE, ua.publicKey, ua.auth);
        body[index] ^= 0x01;

        assertThatThrownBy(() -> WebPushCrypto.decrypt(body, ua.privateKey, ua.publicKey, ua.auth))
                .isInstanceOf(WebPushCryptoException.class);
    }

    @Test
    void wrongAuthSecretIsRefused() {
        UserAgent ua = new UserAgent();
        byte[] body = WebPushCrypto.encrypt(MESSAGE, ua.publicKey, ua.auth);
        byte[] otherAuth = new UserAgent().auth;

        assertThatThrownBy(() -> WebPushCrypto.decrypt(body, ua.privateKey, ua.publicKey, otherAuth))
                .isInstanceOf(WebPushCryptoException.class)
                .hasMessageContaining("does not authenticate");
    }

    @Test
    void messageForAnotherSubscriptionIsRefused() {
        UserAgent ua = new UserAgent();
        UserAgent other = new UserAgent();
        byte[] body = WebPushCrypto.encrypt(MESSAGE, ua.publicKey, ua.auth);

        assertThatThrownBy(() -> WebPushCrypto.decrypt(body, other.privateKey, other.publicKey, ua.auth))
                .isInstanceOf(WebPushCryptoException.class);
    }

    @Test
    void everyTruncationIsRefusedWithoutAnIndexError() {
        UserAgent ua = new UserAgent();
        byte[] body = WebPushCrypto.encrypt(MESSAGE, ua.publicKey, ua.auth);

        for (int length = 0; length < body.length; length++) {
            byte[] truncated = Arrays.copyOf(body, length);
            assertThatThrownBy(() -> WebPushCrypto.decrypt(truncated, ua.privateKey, ua.publicKey, ua.auth))
                    .as("body cut to %d bytes", length)
                    .isInstanceOf(WebPushCryptoException.class);
        }
    }

    @Test
    void keyIdThatIsNotA65BytePointIsRefused() {
        UserAgent ua = new UserAgent();
        byte[] body = WebPushCrypto.encrypt(MESSAGE, ua.publicKey, ua.auth);
        body[20] = 64;

        assertThatThrownBy(() -> WebPushCrypto.decrypt(body, ua.privateKey, ua.publicKey, ua.auth))
                .isInstanceOf(WebPushCryptoException.class)
                .hasMessageContaining("key id");
    }

    @Test
    void bodyLongerThanItsRecordSizeIsRefusedAsMoreThanOneRecord() {
        UserAgent ua = new UserAgent();
        byte[] body = WebPushCrypto.encrypt(MESSAGE, ua.publicKey, ua.auth);
        body[16] = 0;
        body[17] = 0;
        body[18] = 0;
        body[19] = 20;

        assertThatThrownBy(() -> WebPushCrypto.decrypt(body, ua.privateKey, ua.publicKey, ua.auth))
                .isInstanceOf(WebPushCryptoException.class)
                .hasMessageContaining("more than one record");
    }

    @Test
    void malformedSubscriptionKeysAreRefusedWhenEncrypting() {
        UserAgent ua = new UserAgent();
        byte[] offCurve = ua.publicKey.clone();
        offCurve[64] ^= 0x01;

        assertThatThrownBy(() -> WebPushCrypto.encrypt(MESSAGE, offCurve, ua.auth))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a point on the curve");
        assertThatThrownBy(() -> WebPushCrypto.encrypt(MESSAGE, Arrays.copyOf(ua.publicKey, 33), ua.auth))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WebPushCrypto.encrypt(MESSAGE, ua.publicKey, new byte[15]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("16 bytes");
    }

    /// A subscription's key material, as a browser would make it.
    private static final class UserAgent {
        final ECPrivateKey privateKey;
        final byte[] publicKey;
        final byte[] auth = new byte[16];

        UserAgent() {
            KeyPair pair = P256.generateKeyPair();
            privateKey = (ECPrivateKey) pair.getPrivate();
            publicKey = P256.encodePoint((ECPublicKey) pair.getPublic());
            new SecureRandom().nextBytes(auth);
        }
    }
}
