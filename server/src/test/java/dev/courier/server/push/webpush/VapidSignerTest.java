package dev.courier.server.push.webpush;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.courier.protocol.webpush.P256;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VapidSignerTest {
    private static final Pattern HEADER = Pattern.compile("vapid t=([A-Za-z0-9_.-]+), k=([A-Za-z0-9_-]+)");
    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final VapidKeys keys = VapidKeys.of(P256.generateKeyPair());
    private final SteppingClock clock = new SteppingClock(NOW);
    private final VapidSigner signer = new VapidSigner(keys, "mailto:ops@courier.example", clock);

    @Test
    void headerCarriesAJwtThatVerifiesWithTheServersPublicKey() throws Exception {
        Matcher m = parse(signer.authorization(URI.create("https://push.example.net/wpush/v2/abc")));

        assertThat(m.group(2)).isEqualTo(keys.publicKeyBase64Url());
        String[] parts = m.group(1).split("\\.");
        assertThat(parts).hasSize(3);
        byte[] signature = P256.fromBase64Url(parts[2]);
        assertThat(signature).hasSize(64);
        Signature verifier = Signature.getInstance("SHA256withECDSAinP1363Format");
        verifier.initVerify(P256.decodePoint(P256.fromBase64Url(m.group(2))));
        verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertThat(verifier.verify(signature)).isTrue();
    }

    @Test
    void jwtClaimsNameTheOriginTwelveHoursAndTheContact() throws Exception {
        Matcher m = parse(signer.authorization(URI.create("https://push.example.net/wpush/v2/abc?x=1")));
        String[] parts = m.group(1).split("\\.");

        JsonNode header = JSON.readTree(P256.fromBase64Url(parts[0]));
        JsonNode claims = JSON.readTree(P256.fromBase64Url(parts[1]));

        assertThat(header.get("typ").asText()).isEqualTo("JWT");
        assertThat(header.get("alg").asText()).isEqualTo("ES256");
        assertThat(claims.get("aud").asText()).isEqualTo("https://push.example.net");
        assertThat(claims.get("exp").asLong()).isEqualTo(NOW.plus(Duration.ofHours(12)).getEpochSecond());
        assertThat(claims.get("sub").asText()).isEqualTo("mailto:ops@courier.example");
    }

    @ParameterizedTest
    @CsvSource({
        "https://push.example.net/x,        https://push.example.net",
        "https://push.example.net:443/x,    https://push.example.net",
        "https://push.example.net:8443/x,   https://push.example.net:8443",
        "HTTPS://Push.Example.NET/x,        https://push.example.net",
        "http://127.0.0.1:40123/push/abc,   http://127.0.0.1:40123",
        "http://127.0.0.1:80/push/abc,      http://127.0.0.1",
        "https://[::1]:9000/push,           https://[::1]:9000",
    })
    void audienceIsTheEndpointsOrigin(String endpoint, String origin) {
        assertThat(VapidSigner.audience(URI.create(endpoint))).isEqualTo(origin);
    }

    @Test
    void endpointsThatAreNotHttpUrlsAreRefused() {
        assertThatThrownBy(() -> signer.authorization(URI.create("ftp://push.example.net/x")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> signer.authorization(URI.create("/push/abc")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tokenIsReusedForTheSameAudienceUntilAnHourBeforeItExpires() {
        String first = signer.authorization(URI.create("https://push.example.net/a"));

        assertThat(signer.authorization(URI.create("https://push.example.net/b"))).isEqualTo(first);
        assertThat(signer.authorization(URI.create("https://other.example.org/a"))).isNotEqualTo(first);
        clock.advance(Duration.ofHours(10).plusMinutes(59));
        assertThat(signer.authorization(URI.create("https://push.example.net/c"))).isEqualTo(first);
        clock.advance(Duration.ofMinutes(1));
        assertThat(signer.authorization(URI.create("https://push.example.net/c"))).isNotEqualTo(first);
    }

    @ParameterizedTest
    @CsvSource({"ops@courier.example", "http://courier.example/contact", "mailto:", "''"})
    void subjectMustBeAMailtoOrHttpsUri(String subject) {
        assertThatThrownBy(() -> new VapidSigner(keys, subject, clock))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mailto: or https:");
    }

    @Test
    void derSignatureWithFullLengthIntegersIsConcatenated() {
        byte[] r = filled(32, 0x11);
        byte[] s = filled(32, 0x22);

        byte[] jose = Es256.derToJose(der(integer(r), integer(s)));

        assertThat(jose).isEqualTo(concat(r, s));
    }

    @Test
    void derIntegersWithASignByteLoseIt() {
        byte[] r = filled(32, 0x91);
        byte[] s = filled(32, 0xff);

        byte[] jose = Es256.derToJose(der(integer(concat(new byte[1], r)), integer(concat(new byte[1], s))));

        assertThat(jose).isEqualTo(concat(r, s));
    }

    @Test
    void shortDerIntegersAreLeftPaddedWithZeros() {
        byte[] shortR = filled(30, 0x05);
        byte[] shortS = {0x01};

        byte[] jose = Es256.derToJose(der(integer(shortR), integer(shortS)));

        assertThat(HexFormat.of().formatHex(jose, 0, 32)).isEqualTo("0000" + "05".repeat(30));
        assertThat(HexFormat.of().formatHex(jose, 32, 64)).isEqualTo("00".repeat(31) + "01");
    }

    @Test
    void malformedDerIsRefusedWithoutAnIndexError() {
        byte[] good = der(integer(filled(32, 0x11)), integer(filled(32, 0x22)));
        for (int length = 0; length < good.length; length++) {
            byte[] cut = Arrays.copyOf(good, length);
            assertThatThrownBy(() -> Es256.derToJose(cut)).isInstanceOf(IllegalArgumentException.class);
        }
        byte[] tooLong = der(integer(concat(new byte[] {1}, filled(32, 0x11))), integer(filled(32, 0x22)));
        assertThatThrownBy(() -> Es256.derToJose(tooLong)).hasMessageContaining("256 bits");
    }

    @Test
    void jdkSignaturesConvertToTheP1363FormTheJdkVerifies() throws Exception {
        byte[] data = "header.claims".getBytes(StandardCharsets.US_ASCII);
        Signature verifier = Signature.getInstance("SHA256withECDSAinP1363Format");
        verifier.initVerify(P256.decodePoint(keys.publicKey()));
        for (int i = 0; i < 200; i++) {
            byte[] jose = Es256.sign(keys.privateKey(), data);
            verifier.update(data);
            assertThat(verifier.verify(jose)).isTrue();
        }
    }

    private static Matcher parse(String header) {
        Matcher m = HEADER.matcher(header);
        assertThat(m.matches()).as("'%s' has the RFC 8292 form", header).isTrue();
        return m;
    }

    private static byte[] filled(int length, int value) {
        byte[] out = new byte[length];
        Arrays.fill(out, (byte) value);
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] integer(byte[] value) {
        return concat(new byte[] {0x02, (byte) value.length}, value);
    }

    private static byte[] der(byte[] r, byte[] s) {
        byte[] body = concat(r, s);
        return concat(new byte[] {0x30, (byte) body.length}, body);
    }

    /// A clock fixed at a moment until the test moves it.
    private static final class SteppingClock extends Clock {
        private Instant now;

        SteppingClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
