package dev.courier.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.server.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// End-to-end encryption, checked at rest: after a whole conversation, no byte sequence of any
/// message text (raw UTF-8 or base64) is in the server's database files.
class ServerSeesNoPlaintextTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final List<String> TEXTS = List.of(
            "Quixotic zebra canary 7f3a1c: meet at the old lighthouse",
            "Grüße aus Köln – das Kennwort ist ☕ Pfefferminz 42",
            "Reply from bob: the vault code is 9931-XKCD-PLUGH",
            "A long one: sphinx of black quartz, judge my vow (4b1d). " + "Lorem ipsum dolor sit amet. ".repeat(120));

    @TempDir
    Path dir;

    @Test
    void theServersDatabaseFilesHoldNoMessageText() {
        var server = new TestServer();
        try (var alice = Devices.register(dir, server.baseUrl(), "alice");
             var bob = Devices.register(dir, server.baseUrl(), "bob")) {
            var bobHears = Recorder.on(bob);
            var aliceHears = Recorder.on(alice);
            alice.connect(WAIT);

            // Bob is offline: the ciphertexts sit in the server's database.
            List<Message> sent = new ArrayList<>();
            for (String t : List.of(TEXTS.get(0), TEXTS.get(1), TEXTS.get(3))) sent.add(alice.send("bob", t));
            for (Message m : sent) assertThat(alice.awaitStatus(m.id(), MessageStatus.SENT, WAIT)).isEqualTo(MessageStatus.SENT);
            assertThat(filesOf(server.dataDir())).extracting(p -> p.getFileName().toString()).contains("courier.db");
            assertNoPlaintext(server.dataDir());

            bob.connect(WAIT);
            assertThat(bobHears.messages).extracting(Message::body).containsExactly(TEXTS.get(0), TEXTS.get(1), TEXTS.get(3));
            bob.send("alice", TEXTS.get(2));
            assertThat(aliceHears.next().body()).isEqualTo(TEXTS.get(2));
            bob.markRead("alice");
            for (Message m : sent) assertThat(alice.awaitStatus(m.id(), MessageStatus.READ, WAIT)).isEqualTo(MessageStatus.READ);
            assertNoPlaintext(server.dataDir());

            // The scan does find text where it is: the usernames on the server, the history on the devices.
            assertThat(contains(server.dataDir(), "alice".getBytes(StandardCharsets.UTF_8))).isTrue();
            for (String t : TEXTS) {
                assertThat(foundIn(dir.resolve("bob"), t)).as("%s in bob's store", t).isNotEmpty();
            }
            // ...and finds base64 of a text inside a longer base64 string, whatever its alignment.
            Path decoy = dir.resolve("decoy");
            for (int before = 0; before < 3; before++) {
                byte[] utf8 = TEXTS.get(1).getBytes(StandardCharsets.UTF_8);
                byte[] wrapped = new byte[before + utf8.length + 5];
                System.arraycopy(utf8, 0, wrapped, before, utf8.length);
                writeFile(decoy.resolve("b64-" + before), Base64.getEncoder().encode(wrapped));
                assertThat(foundIn(decoy, TEXTS.get(1))).as("alignment %d", before).isNotEmpty();
                TestServer.deleteRecursively(decoy);
            }
        } finally {
            // Closing checkpoints the WAL into courier.db: check the files as they are left.
            server.server().close();
            assertNoPlaintext(server.dataDir());
            server.close();
        }
    }

    private static void assertNoPlaintext(Path dataDir) {
        for (String t : TEXTS) assertThat(foundIn(dataDir, t)).as("pieces of \"%s\" in the server's files", t).isEmpty();
    }

    /// Which of the text's distinctive pieces occur in the files of `root`: 16-byte windows of its
    /// UTF-8 (so a text split across database pages is still found) and of its base64 in each of
    /// the three alignments it can have inside a longer base64 string.
    private static List<String> foundIn(Path root, String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        List<byte[]> needles = new ArrayList<>(windows(utf8));
        for (int shift = 0; shift < 3; shift++) {
            byte[] shifted = new byte[shift + utf8.length];
            System.arraycopy(utf8, 0, shifted, shift, utf8.length);
            String b64 = Base64.getEncoder().encodeToString(shifted);
            // Drop the characters the unknown surrounding bytes and the padding would change.
            String stable = b64.substring(4, b64.length() - 4);
            needles.addAll(windows(stable.getBytes(StandardCharsets.US_ASCII)));
        }
        return search(root, needles);
    }

    private static boolean contains(Path root, byte[] needle) {
        for (Path f : filesOf(root)) {
            try {
                byte[] hay = Files.readAllBytes(f);
                for (int i = 0; i + needle.length <= hay.length; i++) {
                    if (Arrays.equals(hay, i, i + needle.length, needle, 0, needle.length)) return true;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return false;
    }

    private static List<byte[]> windows(byte[] b) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i + 16 <= b.length; i += 8) out.add(Arrays.copyOfRange(b, i, i + 16));
        return out;
    }

    /// The needles (each at least 8 bytes) found in any file under `root`, in one pass per file.
    private static List<String> search(Path root, List<byte[]> needles) {
        Map<Long, List<byte[]>> byPrefix = new HashMap<>();
        for (byte[] n : needles) byPrefix.computeIfAbsent(ByteBuffer.wrap(n).getLong(), k -> new ArrayList<>()).add(n);
        Set<String> found = new LinkedHashSet<>();
        for (Path f : filesOf(root)) {
            byte[] hay;
            try {
                hay = Files.readAllBytes(f);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            ByteBuffer buf = ByteBuffer.wrap(hay);
            for (int i = 0; i + 8 <= hay.length; i++) {
                List<byte[]> candidates = byPrefix.get(buf.getLong(i));
                if (candidates == null) continue;
                for (byte[] n : candidates) {
                    if (i + n.length <= hay.length && Arrays.equals(hay, i, i + n.length, n, 0, n.length)) {
                        found.add(new String(n, StandardCharsets.UTF_8));
                    }
                }
            }
        }
        return List.copyOf(found);
    }

    private static void writeFile(Path file, byte[] content) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> filesOf(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
