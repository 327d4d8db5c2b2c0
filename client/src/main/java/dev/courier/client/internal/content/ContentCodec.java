package dev.courier.client.internal.content;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.courier.protocol.WireJson;
import java.io.IOException;
import java.util.Arrays;

/// Encodes [Content] as padded UTF-8 JSON, the bytes that go into the Signal cipher.
///
/// Padding hides the length of a message, as Signal does: the JSON is followed by one `0x80`
/// byte and then zero bytes up to the next multiple of [#BLOCK] bytes (ISO/IEC 7816-4 padding).
/// A receiver strips trailing zeros, then exactly one `0x80`.
public final class ContentCodec {
    /// Signal pads to multiples of 160 bytes; so do we.
    public static final int BLOCK = 160;
    private static final ObjectMapper JSON = WireJson.newMapper();

    private ContentCodec() {}

    public static byte[] encode(Content content) {
        try {
            return pad(JSON.writeValueAsBytes(content));
        } catch (IOException e) {
            throw new IllegalStateException("content always serializes", e);
        }
    }

    /// @throws MalformedContentException if the padding or the JSON is not what a Courier client writes
    public static Content decode(byte[] padded) throws MalformedContentException {
        byte[] json = unpad(padded);
        Content c;
        try {
            c = JSON.readValue(json, Content.class);
        } catch (IOException e) {
            throw new MalformedContentException("the content is not valid JSON");
        }
        if (c.v() < 1 || c.kind() == null || c.messageId() == null || c.sender() == null) {
            throw new MalformedContentException("the content lacks its version, kind, messageId or sender");
        }
        return c;
    }

    static byte[] pad(byte[] data) {
        int length = (data.length + 1 + BLOCK - 1) / BLOCK * BLOCK;
        byte[] out = Arrays.copyOf(data, length);
        out[data.length] = (byte) 0x80;
        return out;
    }

    static byte[] unpad(byte[] padded) throws MalformedContentException {
        int end = padded.length - 1;
        while (end >= 0 && padded[end] == 0) end--;
        if (end < 0 || padded[end] != (byte) 0x80) throw new MalformedContentException("the content is not padded");
        return Arrays.copyOf(padded, end);
    }

    /// Content that no Courier client would have written.
    public static final class MalformedContentException extends Exception {
        public MalformedContentException(String message) {
            super(message);
        }
    }
}
