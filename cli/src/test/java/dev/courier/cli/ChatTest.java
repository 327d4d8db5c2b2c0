package dev.courier.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.courier.server.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/// `courier chat` on a scripted terminal: history and live messages appear, typed lines are sent
/// and their status moves to ✓ and ✓✓, and what the chat shows is marked read for the sender.
class ChatTest {
    private TestServer server;
    private Path tmp;
    private CliRunner courier;
    private String alice;
    private String bob;
    private PipedOutputStream keyboard;
    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws Exception {
        server = new TestServer();
        tmp = Files.createTempDirectory("cli-chat");
        alice = tmp.resolve("alice").toString();
        bob = tmp.resolve("bob").toString();
        keyboard = new PipedOutputStream();
        PipedInputStream in = new PipedInputStream(keyboard);
        OutputStream out = new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (screen) {
                    screen.write(b);
                }
            }
        };
        courier = new CliRunner(tmp.resolve("home"), () -> TerminalBuilder.builder().system(false).streams(in, out)
                .type(Terminal.TYPE_DUMB).encoding(StandardCharsets.UTF_8).build());
    }

    @AfterEach
    void stop() {
        server.close();
        TestServer.deleteRecursively(tmp);
    }

    @Test
    void chatShowsMessagesLiveAndSendsWithStatuses() throws Exception {
        courier.run("--dir", alice, "register", "alice", "--server", server.baseUrl()).succeeded();
        courier.run("--dir", bob, "register", "bob", "--server", server.baseUrl()).succeeded();
        courier.run("--dir", bob, "send", "alice", "hi alice").succeeded();

        // Its own thread: the common pool may have a single thread, which the JDK's WebSocket client also needs.
        CompletableFuture<CliRunner.Result> chat = new CompletableFuture<>();
        Thread.ofPlatform().name("chat").start(() -> chat.complete(courier.run("--dir", alice, "chat", "bob")));
        await().atMost(Duration.ofSeconds(15)).until(() -> screen().contains("bob: hi alice"));

        courier.run("--dir", bob, "send", "alice", "are you there?").succeeded();
        await().atMost(Duration.ofSeconds(15)).until(() -> screen().contains("bob: are you there?"));

        type("yes, here\n");
        await().atMost(Duration.ofSeconds(15)).until(() -> screen().contains("you: yes, here  ✓"));
        assertThat(courier.run("--dir", bob, "receive").succeeded().out()).contains("alice: yes, here");
        // Bob's delivery receipt arrives while the chat is open.
        await().atMost(Duration.ofSeconds(15)).until(() -> screen().contains("you: yes, here  ✓✓"));

        // Everything the chat showed was marked read: bob sees "read" on both of his messages.
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).until(() -> {
            courier.run("--dir", bob, "receive").succeeded();
            String history = courier.run("--dir", bob, "history", "alice").succeeded().out();
            return history.contains("you: hi alice  ✓✓ read") && history.contains("you: are you there?  ✓✓ read");
        });

        type("/quit\n");
        var result = chat.get(15, TimeUnit.SECONDS);
        assertThat(result.code()).as("chat exit code; stderr: %s", result.err()).isZero();
        assertThat(result.err()).isEmpty();
        assertThat(courier.run("--dir", alice, "history", "bob").succeeded().out()).contains("you: yes, here  ✓✓");
    }

    @Test
    void chatWithAnUnknownUserFailsBeforeTheScreenOpens() {
        courier.run("--dir", alice, "register", "alice", "--server", server.baseUrl()).succeeded();
        courier.run("--dir", alice, "chat", "nobody").failedWith(4);
        assertThat(screen()).isEmpty();
    }

    private void type(String keys) throws Exception {
        keyboard.write(keys.getBytes(StandardCharsets.UTF_8));
        keyboard.flush();
    }

    private String screen() {
        synchronized (screen) {
            return screen.toString(StandardCharsets.UTF_8);
        }
    }
}
