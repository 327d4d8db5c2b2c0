package dev.courier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.cli.failure.ExitCode;
import dev.courier.server.testing.PushServiceReceiver;
import dev.courier.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/// `courier push`: registering, showing and removing an endpoint, and handling a real wake-up
/// delivered through a local push service.
class PushCommandTest {
    private TestServer server;
    private PushServiceReceiver pushService;
    private Path tmp;
    private CliRunner courier;
    private String alice;
    private String bob;

    @BeforeEach
    void start() throws Exception {
        server = new TestServer(Map.of("push.allowHttpLoopback", "true"));
        pushService = new PushServiceReceiver();
        tmp = Files.createTempDirectory("cli-push");
        courier = new CliRunner(tmp.resolve("home"));
        alice = tmp.resolve("alice").toString();
        bob = tmp.resolve("bob").toString();
        courier.run("--dir", alice, "register", "alice", "--server", server.baseUrl()).succeeded();
        courier.run("--dir", bob, "register", "bob", "--server", server.baseUrl()).succeeded();
    }

    @AfterEach
    void stop() {
        pushService.close();
        server.close();
        TestServer.deleteRecursively(tmp);
    }

    @Test
    void registerShowWakeAndRemove() throws Exception {
        assertThat(courier.run("--dir", bob, "push", "show").succeeded().out()).contains("No push endpoint registered");

        String key = courier.run("--dir", bob, "push", "server-key").succeeded().out().strip();
        pushService.expectServerKey(key);
        var endpoint = pushService.newEndpoint().endpoint().toString();
        assertThat(courier.run("--dir", bob, "push", "register", endpoint).succeeded().out())
                .contains("Wake-ups now go to " + endpoint);
        var shown = courier.run("--dir", bob, "--json", "push", "show").succeeded().json().getFirst();
        assertThat(shown.get("endpoint").asText()).isEqualTo(endpoint);
        assertThat(shown.get("p256dh").asText()).isNotBlank();

        courier.run("--dir", alice, "send", "bob", "Hello!").succeeded();
        var push = pushService.awaitReceived(1, Duration.ofSeconds(10)).getFirst();
        Path body = tmp.resolve("push.bin");
        Files.write(body, push.body());

        var woken = courier.run("--dir", bob, "push", "wake", body.toString()).succeeded();
        assertThat(woken.out()).contains("alice: Hello!");

        courier.run("--dir", bob, "push", "remove").succeeded();
        assertThat(courier.run("--dir", bob, "push", "show").succeeded().out()).contains("No push endpoint registered");
    }

    @Test
    void badInputGetsOneLineAndAnExitCode() throws Exception {
        courier.run("--dir", bob, "push", "register", "not a url").failedWith(ExitCode.USAGE);
        courier.run("--dir", bob, "push", "register", "http://push.example.net/x").failedWith(ExitCode.FAILED);

        Path garbage = tmp.resolve("garbage.bin");
        Files.write(garbage, new byte[200]);
        courier.run("--dir", bob, "push", "wake", garbage.toString()).failedWith(ExitCode.FAILED);
        courier.run("--dir", bob, "push", "wake", tmp.resolve("missing.bin").toString()).failedWith(ExitCode.USAGE);
    }
}
