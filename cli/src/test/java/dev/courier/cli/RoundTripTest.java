package dev.courier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/// Two device directories talking through a real server, every command run as a user would.
class RoundTripTest {
    private TestServer server;
    private Path tmp;
    private CliRunner courier;
    private String alice;
    private String bob;

    @BeforeEach
    void start() throws Exception {
        server = new TestServer();
        tmp = Files.createTempDirectory("cli-roundtrip");
        courier = new CliRunner(tmp.resolve("home"));
        alice = tmp.resolve("alice").toString();
        bob = tmp.resolve("bob").toString();
    }

    @AfterEach
    void stop() {
        server.close();
        TestServer.deleteRecursively(tmp);
    }

    @Test
    void registerSendReceiveAndInspect() {
        var registered = courier.run("--dir", alice, "register", "alice", "--server", server.baseUrl()).succeeded();
        assertThat(registered.out()).contains("Registered alice on " + server.baseUrl()).contains("device   1");
        courier.run("--dir", bob, "register", "bob", "--server", server.baseUrl()).succeeded();

        assertThat(courier.run("--dir", alice, "whoami").succeeded().out()).startsWith("alice (account ").contains(server.baseUrl());

        var sent = courier.run("--dir", alice, "send", "bob", "Hello", "Bob!").succeeded();
        assertThat(sent.out().strip()).isEqualTo("✓ sent to bob");
        assertThat(sent.err()).isEmpty();

        var received = courier.run("--dir", bob, "receive").succeeded();
        assertThat(received.out()).contains("alice: Hello Bob!");
        assertThat(courier.run("--dir", bob, "receive").succeeded().out()).contains("No new messages.");

        // Bob's delivery receipt reaches alice on her next connection: ✓✓.
        assertThat(courier.run("--dir", alice, "receive").succeeded().out()).contains("you → bob: Hello Bob!  ✓✓");
        assertThat(courier.run("--dir", alice, "history", "bob").succeeded().out()).contains("you: Hello Bob!  ✓✓");
        assertThat(courier.run("--dir", bob, "history", "alice").succeeded().out()).contains("alice: Hello Bob!");

        courier.run("--dir", bob, "send", "alice", "Hi", "Alice").succeeded();
        courier.run("--dir", bob, "send", "alice", "second").succeeded();
        assertThat(courier.run("--dir", alice, "receive").succeeded().out()).contains("bob: Hi Alice", "bob: second");
        assertThat(courier.run("--dir", alice, "history", "bob", "--limit", "2").succeeded().out())
                .contains("bob: Hi Alice", "bob: second").doesNotContain("Hello Bob!");

        assertThat(courier.run("--dir", alice, "contacts").succeeded().out()).contains("bob").doesNotContain("changed");

        String aliceSees = courier.run("--dir", alice, "safety-number", "bob").succeeded().out();
        String bobSees = courier.run("--dir", bob, "safety-number", "alice").succeeded().out();
        assertThat(digits(aliceSees)).hasSize(60).isEqualTo(digits(bobSees));

        assertThat(courier.run("--dir", alice, "trust", "bob").succeeded().out()).contains("has not changed");
    }

    @Test
    void jsonOutputIsOneObjectPerLine() {
        JsonNode reg = courier.run("--json", "--dir", alice, "register", "alice", "--server", server.baseUrl()).succeeded().first("registered");
        assertThat(reg.path("username").asText()).isEqualTo("alice");
        assertThat(reg.path("deviceId").asInt()).isEqualTo(1);
        // --json is a global option: it works after the subcommand too.
        JsonNode bobReg = courier.run("--dir", bob, "register", "bob", "--server", server.baseUrl(), "--json").succeeded().first("registered");

        JsonNode me = courier.run("--dir", alice, "--json", "whoami").succeeded().first("identity");
        assertThat(me.path("accountId").asText()).isEqualTo(reg.path("accountId").asText());
        assertThat(me.path("server").asText()).isEqualTo(server.baseUrl());

        JsonNode sent = courier.run("--dir", alice, "--json", "send", "bob", "Hello!").succeeded().first("sent");
        assertThat(sent.path("to").asText()).isEqualTo("bob");
        assertThat(sent.path("status").asText()).isIn("SENT", "DELIVERED", "READ");

        var received = courier.run("--dir", bob, "--json", "receive").succeeded();
        JsonNode message = received.first("message");
        assertThat(message.path("from").asText()).isEqualTo("alice");
        assertThat(message.path("text").asText()).isEqualTo("Hello!");
        assertThat(message.path("id").asText()).isEqualTo(sent.path("id").asText());
        assertThat(received.out()).doesNotContain("No new messages");

        List<JsonNode> history = courier.run("--dir", alice, "--json", "history", "bob").succeeded().json();
        assertThat(history).singleElement().satisfies(m -> {
            assertThat(m.path("direction").asText()).isEqualTo("out");
            assertThat(m.path("text").asText()).isEqualTo("Hello!");
        });

        JsonNode contact = courier.run("--dir", alice, "--json", "contacts").succeeded().first("contact");
        assertThat(contact.path("username").asText()).isEqualTo("bob");
        assertThat(contact.path("accountId").asText()).isEqualTo(bobReg.path("accountId").asText());
        assertThat(contact.path("safetyNumberChanged").asBoolean()).isFalse();

        JsonNode number = courier.run("--dir", alice, "--json", "safety-number", "bob").succeeded().first("safety_number");
        assertThat(number.path("digits").asText()).hasSize(60).containsOnlyDigits();

        JsonNode trusted = courier.run("--dir", alice, "--json", "trust", "bob").succeeded().first("trusted");
        assertThat(trusted.path("changed").asBoolean()).isFalse();
    }

    @Test
    void listenPrintsMessagesAsTheyArrive() throws Exception {
        courier.run("--dir", alice, "register", "alice", "--server", server.baseUrl()).succeeded();
        courier.run("--dir", bob, "register", "bob", "--server", server.baseUrl()).succeeded();
        courier.run("--dir", alice, "send", "bob", "first").succeeded();

        var result = new java.util.concurrent.CompletableFuture<CliRunner.Result>();
        Thread listener = Thread.ofVirtual().start(() -> result.complete(courier.run("--dir", bob, "--json", "listen", "--count", "2")));
        // The backlog ("first") counts; "second" arrives live.
        courier.run("--dir", alice, "send", "bob", "second").succeeded();
        var listened = result.get(30, java.util.concurrent.TimeUnit.SECONDS).succeeded();
        listener.join();
        assertThat(listened.json()).filteredOn(n -> n.path("type").asText().equals("message"))
                .extracting(n -> n.path("text").asText()).containsExactly("first", "second");
    }

    @Test
    void versionAndHelp() {
        assertThat(courier.run("--version").succeeded().out()).startsWith("courier 0.1.0");
        String help = courier.run("--help").succeeded().out();
        assertThat(help).contains("register", "whoami", "send", "receive", "listen", "chat", "history", "contacts",
                "safety-number", "trust", "demo", "--dir", "--json", "Exit codes:");
        assertThat(courier.run("send", "--help").succeeded().out()).contains("USER", "TEXT");
    }

    private static String digits(String safetyNumberOutput) {
        StringBuilder d = new StringBuilder();
        for (String line : safetyNumberOutput.split("\n")) {
            if (line.matches("\\s+[0-9 ]+")) d.append(line.replaceAll("\\s", ""));
        }
        return d.toString();
    }
}
