package dev.courier.client.internal.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/// The plaintext inside every ciphertext: JSON, padded to hide its length.
class ContentCodecTest {
    private static final UUID ALICE = UUID.randomUUID();
    private static final UUID BOB = UUID.randomUUID();

    private static Content text(String body) {
        return Content.text(UUID.randomUUID(), ALICE, BOB, 1_750_000_000_000L, body);
    }

    @Test
    void encodedLengthsAreWholeMultiplesOf160() {
        for (int n = 0; n <= 700; n++) {
            byte[] padded = ContentCodec.encode(text("x".repeat(n)));
            assertThat(padded.length % ContentCodec.BLOCK).as("body of %d characters", n).isZero();
            assertThat(padded.length).isPositive();
        }
        for (int n = 0; n <= 2 * ContentCodec.BLOCK + 1; n++) {
            byte[] data = new byte[n];
            Arrays.fill(data, (byte) 'a');
            byte[] padded = ContentCodec.pad(data);
            assertThat(padded.length).as("%d bytes", n).isEqualTo((n / ContentCodec.BLOCK + 1) * ContentCodec.BLOCK);
            assertThat(padded[n]).isEqualTo((byte) 0x80);
            for (int i = n + 1; i < padded.length; i++) assertThat(padded[i]).isZero();
        }
    }

    @Test
    void lengthsWithinOneBlockLookTheSame() {
        assertThat(ContentCodec.encode(text("hi")).length).isEqualTo(ContentCodec.encode(text("hi there, how are you?")).length);
        assertThat(ContentCodec.encode(text("a".repeat(500))).length).isGreaterThan(ContentCodec.encode(text("hi")).length);
    }

    @Test
    void padAndUnpadRoundTripAtEveryLengthAroundABlock() throws Exception {
        for (int n = 0; n <= 2 * ContentCodec.BLOCK + 1; n++) {
            byte[] data = new byte[n];
            for (int i = 0; i < n; i++) data[i] = (byte) (i % 251 + 1);
            assertThat(ContentCodec.unpad(ContentCodec.pad(data))).as("%d bytes", n).isEqualTo(data);
        }
    }

    @Test
    void textAndReceiptsRoundTrip() throws Exception {
        var t = text("Grüße, 世界! \"quotes\" \\ backslash \u0000 nul and emoji 🎉");
        assertThat(ContentCodec.decode(ContentCodec.encode(t))).isEqualTo(t);

        var r = Content.receipt(UUID.randomUUID(), BOB, ALICE, 42L, Content.READ, List.of(UUID.randomUUID(), UUID.randomUUID()));
        assertThat(ContentCodec.decode(ContentCodec.encode(r))).isEqualTo(r);
    }

    @Test
    void contentWithoutValidPaddingIsRefused() {
        byte[] good = ContentCodec.encode(text("hello"));
        // No padding at all: the JSON ends in '}'.
        byte[] json = new String(good, StandardCharsets.UTF_8).substring(0, indexOf0x80(good)).getBytes(StandardCharsets.UTF_8);
        assertRefused(json);
        // Empty, all zeros, and a marker that is not 0x80.
        assertRefused(new byte[0]);
        assertRefused(new byte[ContentCodec.BLOCK]);
        byte[] wrongMarker = good.clone();
        wrongMarker[indexOf0x80(good)] = 0x01;
        assertRefused(wrongMarker);
        // Garbage after the zeros.
        byte[] trailing = good.clone();
        trailing[trailing.length - 1] = 0x7f;
        assertRefused(trailing);
    }

    @Test
    void paddedBytesThatAreNotCourierContentAreRefused() {
        assertRefused(ContentCodec.pad("not json at all".getBytes(StandardCharsets.UTF_8)));
        assertRefused(ContentCodec.pad("{\"v\":1,\"kind\":\"text\"}".getBytes(StandardCharsets.UTF_8)));
        assertRefused(ContentCodec.pad(("{\"v\":0,\"kind\":\"text\",\"messageId\":\"" + UUID.randomUUID() + "\",\"sender\":\"" + ALICE
                + "\"}").getBytes(StandardCharsets.UTF_8)));
    }

    private static int indexOf0x80(byte[] padded) {
        int end = padded.length - 1;
        while (padded[end] == 0) end--;
        assertThat(padded[end]).isEqualTo((byte) 0x80);
        return end;
    }

    private static void assertRefused(byte[] bytes) {
        assertThatThrownBy(() -> ContentCodec.decode(bytes)).isInstanceOf(ContentCodec.MalformedContentException.class);
    }
}
