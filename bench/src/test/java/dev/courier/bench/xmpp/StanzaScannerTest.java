package dev.courier.bench.xmpp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StanzaScannerTest {
    private static final String STREAM = "<?xml version='1.0'?><stream:stream id='1' xmlns='jabber:client'>"
            + "<stream:features><mechanisms><mechanism>PLAIN</mechanism></mechanisms></stream:features>"
            + "<message to='b@h' from='a@h/r' type='chat' id='m7'><delay stamp='x'>Offline storage</delay><body>AAAA</body></message>"
            + "<presence to='b@h/r' from='b@h/r'/>\n <iq type='result' id='bind'><bind><jid>b@h/r</jid></bind></iq></stream:stream>";

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 64, 10_000})
    void elementsComeOutWholeHoweverTheReadsSplitThem(int chunk) {
        StanzaScanner scanner = new StanzaScanner();
        byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
        List<String> elements = new ArrayList<>();
        for (int at = 0; at < bytes.length; at += chunk) {
            scanner.feed(bytes, at, Math.min(chunk, bytes.length - at));
            for (String e; (e = scanner.next()) != null; ) elements.add(e);
        }
        assertThat(elements).extracting(Stanzas::name)
                .containsExactly("?xml", "stream:stream", "stream:features", "message", "presence", "iq", "/stream:stream");
        String message = elements.get(3);
        assertThat(Stanzas.attribute(message, "id")).isEqualTo("m7");
        assertThat(Stanzas.body(message)).isEqualTo("AAAA");
        assertThat(Stanzas.attribute(elements.get(5), "type")).isEqualTo("result");
    }

    @Test
    void attributesAreReadFromTheStartTagOnlyWithEitherQuote() {
        String iq = "<iq type=\"error\" id=\"x1\"><error type='cancel'/></iq>";
        assertThat(Stanzas.attribute(iq, "type")).isEqualTo("error");
        assertThat(Stanzas.attribute(iq, "id")).isEqualTo("x1");
        assertThat(Stanzas.attribute("<message to='a'><x id='inner'/></message>", "id")).isNull();
    }
}
