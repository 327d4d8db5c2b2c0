package dev.courier.bench.xmpp;

/// Cuts an XMPP stream (RFC 6120 §4) into top-level elements, however the bytes were split
/// across reads. Not an XML parser: it recognises the few shapes a c2s server sends a client
/// (`<?xml?>`, the `<stream:stream>` header, `</stream:stream>`, and whole elements such as
/// `<message>…</message>` or `<presence/>`), and relies on the server not nesting an element
/// inside one of the same name, which no stanza we read does.
///
/// Bytes are taken as ISO-8859-1, one char each, so a multi-byte character split across reads
/// cannot be mangled; everything the benchmark reads back (ids, base64 bodies) is ASCII.
///
/// Not thread-safe: one connection's reads, in order.
public final class StanzaScanner {
    private final StringBuilder buf = new StringBuilder(8192);
    private int pos;

    public void feed(byte[] bytes, int offset, int length) {
        if (pos > 0 && pos == buf.length()) {
            buf.setLength(0);
            pos = 0;
        } else if (pos > 65_536) {
            buf.delete(0, pos);
            pos = 0;
        }
        for (int i = offset; i < offset + length; i++) buf.append((char) (bytes[i] & 0xff));
    }

    /// Forgets everything read so far: after SASL success the stream restarts (RFC 6120 §6.4.6)
    /// and the server's new header follows.
    public void reset() {
        buf.setLength(0);
        pos = 0;
    }

    /// The next complete top-level element (or stream header/footer), or null until more bytes
    /// arrive.
    public String next() {
        while (pos < buf.length() && Character.isWhitespace(buf.charAt(pos))) pos++;
        if (pos >= buf.length()) return null;
        if (buf.charAt(pos) != '<') {
            // Text between stanzas (whitespace keep-alives aside) is not expected: skip to the next tag.
            int lt = buf.indexOf("<", pos);
            if (lt < 0) {
                pos = buf.length();
                return null;
            }
            pos = lt;
        }
        if (startsWith("<?")) return take(buf.indexOf("?>", pos), 2);
        if (startsWith("</stream:stream")) return take(buf.indexOf(">", pos), 1);
        int tagEnd = buf.indexOf(">", pos);
        if (tagEnd < 0) return null;
        if (startsWith("<stream:stream")) return take(tagEnd, 1);
        if (buf.charAt(tagEnd - 1) == '/') return take(tagEnd, 1);
        int nameEnd = pos + 1;
        while (nameEnd < tagEnd && !Character.isWhitespace(buf.charAt(nameEnd)) && buf.charAt(nameEnd) != '/') nameEnd++;
        String close = "</" + buf.substring(pos + 1, nameEnd) + ">";
        int end = buf.indexOf(close, tagEnd);
        return end < 0 ? null : take(end, close.length());
    }

    private boolean startsWith(String prefix) {
        return buf.length() - pos >= prefix.length() && buf.indexOf(prefix, pos) == pos;
    }

    private String take(int at, int length) {
        if (at < 0) return null;
        String element = buf.substring(pos, at + length);
        pos = at + length;
        return element;
    }
}
