package dev.courier.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/// A delivery WebSocket spoken by hand on a plain socket, for frames no client library would send
/// (a text frame whose bytes are not UTF-8). Only what those tests need: the upgrade, masked
/// single-frame text messages out, and the server's unfragmented text frames in.
public final class RawSocket implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;

    private RawSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(socket.getInputStream());
    }

    /// Upgrades `GET /v1/websocket` with `authorization`; fails unless the server answers `101`.
    public static RawSocket open(TestServer server, String authorization) {
        try {
            var raw = new RawSocket(new Socket("127.0.0.1", server.port()));
            raw.socket.setSoTimeout(10_000);
            raw.out.write(RawUpgrade.request(authorization, "").getBytes(StandardCharsets.US_ASCII));
            String status = RawUpgrade.line(raw.in);
            if (!status.contains(" 101 ")) throw new AssertionError("upgrade refused: " + status);
            while (!RawUpgrade.line(raw.in).isEmpty()) {
                // the rest of the 101's headers
            }
            return raw;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /// One text frame carrying `payload` as it is, masked as RFC 6455 §5.3 asks of a client.
    public void sendTextFrame(byte[] payload) throws IOException {
        if (payload.length > 125) throw new IllegalArgumentException("short frames only");
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        var frame = new ByteArrayOutputStream();
        frame.write(0x81);
        frame.write(0x80 | payload.length);
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) frame.write(payload[i] ^ mask[i % 4]);
        out.write(frame.toByteArray());
        out.flush();
    }

    /// The next frame from the server, which must be a whole text message.
    public String nextTextFrame() throws IOException {
        int first = in.readUnsignedByte();
        if (first != 0x81) throw new AssertionError("expected a final text frame, got first byte " + first);
        long length = in.readUnsignedByte() & 0x7F;
        if (length == 126) length = in.readUnsignedShort();
        else if (length == 127) length = in.readLong();
        return new String(in.readNBytes((int) length), StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
