package dev.courier.cli.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/// Where commands print. Each result is given twice, as fields and as a sentence: `--json` prints
/// the fields as one JSON object per line on stdout, otherwise the sentence is printed. Notices
/// (progress, hints) go to stderr and only for people, so stdout stays parseable either way.
///
/// Thread-safe: SDK listener threads print while the main thread waits.
public final class Output {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean json;

    public Output(PrintWriter out, PrintWriter err, boolean json) {
        this.out = out;
        this.err = err;
        this.json = json;
    }

    public boolean json() {
        return json;
    }

    /// One result: `fields` as a JSON line with `--json`, else `human` (which may span lines).
    public synchronized void emit(Map<String, Object> fields, String human) {
        out.println(json ? toJson(fields) : human);
        out.flush();
    }

    /// Text for people only (headings, blank lines); nothing with `--json`.
    public synchronized void text(String human) {
        if (json) return;
        out.println(human);
        out.flush();
    }

    /// A remark on stderr for people, e.g. "listening; Ctrl-C to stop"; nothing with `--json`.
    public synchronized void notice(String human) {
        if (json) return;
        err.println(human);
        err.flush();
    }

    /// Builds an ordered JSON object from key-value pairs; null values are left out.
    public static Map<String, Object> fields(Object... keyValues) {
        if (keyValues.length % 2 != 0) throw new IllegalArgumentException("fields come in key-value pairs");
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            if (keyValues[i + 1] != null) m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    static String toJson(Map<String, Object> fields) {
        try {
            return JSON.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
