package dev.courier.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/// The server's answer to a WebSocket upgrade request (or any request) written by hand on a plain
/// socket, for the tests that look at what a client library hides or would never send: extension
/// headers, malformed requests, and the body of a refusal.
///
/// `headers` has lower-case names. `body` is read by its `Content-Length` (empty for a `101`).
public record RawUpgrade(int status, Map<String, String> headers, String body) {

    /// Sends `GET /v1/websocket` with the upgrade headers, `Authorization` if not null, and
    /// `extraHeaders` (whole lines, each ending in CRLF).
    public static RawUpgrade send(TestServer server, String authorization, String extraHeaders) {
        return exchange(server, request(authorization, extraHeaders));
    }

    /// The upgrade request [#send] writes, also [RawSocket]'s.
    static String request(String authorization, String extraHeaders) {
        return "GET /v1/websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + (authorization == null ? "" : "Authorization: " + authorization + "\r\n") + extraHeaders + "\r\n";
    }

    /// Writes `request` as it is (the request line, headers and the blank line) and reads the
    /// answer: for requests no HTTP client would send.
    public static RawUpgrade exchange(TestServer server, String request) {
        try (var socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String statusLine = line(in);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String h = line(in); !h.isEmpty(); h = line(in)) {
                int colon = h.indexOf(':');
                headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
            }
            int length = statusLine.contains(" 101 ") ? 0 : Integer.parseInt(headers.getOrDefault("content-length", "0"));
            String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
            return new RawUpgrade(Integer.parseInt(statusLine.split(" ")[1]), headers, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /// One line of an HTTP head, without its CRLF.
    static String line(InputStream in) throws IOException {
        var bytes = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) throw new IOException("the connection ended inside the response headers");
            if (b != '\r') bytes.write(b);
        }
        return bytes.toString(StandardCharsets.US_ASCII);
    }
}
