package dev.courier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.cli.failure.ExitCode;
import dev.courier.server.CourierServer;
import dev.courier.server.testing.TestServer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.signal.libsignal.protocol.IdentityKeyPair;

/// Every failure a user can meet: a one-line message on stderr, the documented exit code, and
/// never a stack trace.
class ErrorCasesTest {
    private TestServer server;
    private Path tmp;
    private CliRunner courier;
    private String alice;
    private String bob;

    @BeforeEach
    void start() throws Exception {
        server = new TestServer();
        tmp = Files.createTempDirectory("cli-errors");
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
    void serverUnreachable() throws Exception {
        String nowhere = "http://127.0.0.1:" + freePort();
        var result = courier.run("--dir", alice, "register", "alice", "--server", nowhere).failedWith(ExitCode.UNREACHABLE);
        assertThat(result.err()).isEqualTo("courier: cannot reach the server at " + nowhere + ": connection refused (is the server running?)\n");

        var json = courier.run("--json", "--dir", alice, "register", "alice", "--server", nowhere).failedWith(ExitCode.UNREACHABLE);
        assertThat(json.jsonError().path("error").asText()).isEqualTo("server_unreachable");
        assertThat(json.jsonError().path("exitCode").asInt()).isEqualTo(ExitCode.UNREACHABLE);
    }

    /// With the server down, a message to a known contact stays in the outbox (exit code 7), and
    /// the next run with the server up sends it.
    @Test
    void messageSentWhileTheServerIsDownIsKeptAndSentNextTime() throws Exception {
        int port = freePort();
        Path data = tmp.resolve("server-data");
        var config = TestServer.configFor(data, port, Map.of());
        CourierServer down = CourierServer.start(config, Clock.systemUTC());
        String url = "http://127.0.0.1:" + port;
        courier.run("--dir", alice, "register", "alice", "--server", url).succeeded();
        courier.run("--dir", bob, "register", "bob", "--server", url).succeeded();
        courier.run("--dir", alice, "send", "bob", "before").succeeded();
        down.close();

        var queued = courier.run("--dir", alice, "send", "bob", "while", "down").failedWith(ExitCode.QUEUED);
        assertThat(queued.err()).contains("not sent yet", "connection refused", "kept in the outbox");
        assertThat(courier.run("--dir", alice, "whoami").succeeded().out()).contains("outbox   1 item(s) waiting");
        courier.run("--dir", bob, "receive").failedWith(ExitCode.UNREACHABLE);
        // A new contact cannot be looked up, so nothing is kept for them.
        assertThat(courier.run("--dir", alice, "send", "carol", "hi").failedWith(ExitCode.UNREACHABLE).err())
                .contains("nothing was kept");

        try (CourierServer up = CourierServer.start(config, Clock.systemUTC())) {
            assertThat(courier.run("--dir", alice, "receive").succeeded().out()).contains("you → bob: while down  ✓");
            assertThat(courier.run("--dir", bob, "receive").succeeded().out()).contains("alice: before", "alice: while down");
        }
    }

    @Test
    void unknownUser() {
        courier.run("--dir", alice, "register", "alice", "--server", server.baseUrl()).succeeded();
        assertThat(courier.run("--dir", alice, "send", "nobody", "hi").failedWith(ExitCode.UNKNOWN_USER).err())
                .isEqualTo("courier: no user named 'nobody' on this server\n");
        assertThat(courier.run("--dir", alice, "history", "nobody").failedWith(ExitCode.UNKNOWN_USER).err()).contains("no conversation with 'nobody'");
        courier.run("--dir", alice, "safety-number", "nobody").failedWith(ExitCode.UNKNOWN_USER);
        courier.run("--dir", alice, "trust", "nobody").failedWith(ExitCode.UNKNOWN_USER);
        var json = courier.run("--dir", alice, "--json", "send", "nobody", "hi").failedWith(ExitCode.UNKNOWN_USER);
        assertThat(json.jsonError().path("error").asText()).isEqualTo("unknown_user");
    }

    @Test
    void notRegistered() {
        for (String[] command : new String[][] {{"whoami"}, {"send", "bob", "hi"}, {"receive"}, {"history", "bob"}, {"contacts"}}) {
            String[] args = new String[command.length + 2];
            args[0] = "--dir";
            args[1] = alice;
            System.arraycopy(command, 0, args, 2, command.length);
            var result = courier.run(args).failedWith(ExitCode.NOT_REGISTERED);
            assertThat(result.err()).contains("no device is registered in " + alice, "courier register");
        }
        // Without --dir: $COURIER_HOME is unset in tests, so ~/.courier under the test's home.
        assertThat(courier.run("whoami").failedWith(ExitCode.NOT_REGISTERED).err())
                .contains(tmp.resolve("home").resolve(".courier").toString());
    }

    @Test
    void usernameTakenAndDeviceAlreadyRegistered() {
        courier.run("--dir", alice, "register", "alice", "--server", server.baseUrl()).succeeded();
        assertThat(courier.run("--dir", bob, "register", "alice", "--server", server.baseUrl()).failedWith(ExitCode.FAILED).err())
                .isEqualTo("courier: the username 'alice' is already taken on " + server.baseUrl() + "; choose another\n");
        assertThat(courier.run("--dir", bob, "register", "x", "--server", server.baseUrl()).failedWith(ExitCode.FAILED).err())
                .contains("cannot be a username");
        assertThat(courier.run("--dir", alice, "register", "alice2", "--server", server.baseUrl()).failedWith(ExitCode.FAILED).err())
                .contains("already registered", "--dir");
    }

    @Test
    void badArguments() {
        assertThat(courier.run("sned").failedWith(ExitCode.USAGE).err()).contains("unknown command 'sned'", "courier --help");
        assertThat(courier.run().failedWith(ExitCode.USAGE).err()).contains("no command given");
        assertThat(courier.run("send", "bob").failedWith(ExitCode.USAGE).err()).contains("TEXT", "courier send --help");
        assertThat(courier.run("whoami", "--frobnicate").failedWith(ExitCode.USAGE).err()).contains("--frobnicate");
        courier.run("register", "alice").failedWith(ExitCode.USAGE); // --server is required
        assertThat(courier.run("--dir", alice, "register", "alice", "--server", "localhost:8080").failedWith(ExitCode.USAGE).err())
                .contains("http://");
        assertThat(courier.run("history", "bob", "--limit", "0").failedWith(ExitCode.USAGE).err()).contains("--limit");
        assertThat(courier.run("history", "bob", "--limit", "many").failedWith(ExitCode.USAGE).err()).contains("many");
        assertThat(courier.run("--json", "sned").failedWith(ExitCode.USAGE).jsonError().path("error").asText()).isEqualTo("usage");
        courier.run("--json", "--dir", alice, "chat", "bob").failedWith(ExitCode.USAGE);
    }

    /// Alice's device sees a different identity key for bob than it stored (as if bob reinstalled,
    /// or someone sat in between): her message is held until she compares and accepts the new
    /// safety number, then it goes out.
    @Test
    void untrustedIdentityHoldsMessagesUntilTrusted() throws Exception {
        courier.run("--dir", alice, "register", "alice", "--server", server.baseUrl()).succeeded();
        String bobId = courier.run("--json", "--dir", bob, "register", "bob", "--server", server.baseUrl()).succeeded()
                .first("registered").path("accountId").asText();
        courier.run("--dir", alice, "send", "bob", "hello").succeeded();
        courier.run("--dir", bob, "receive").succeeded();
        replaceStoredIdentity(Path.of(alice), bobId);

        var held = courier.run("--dir", alice, "send", "bob", "are", "you", "bob?").failedWith(ExitCode.UNTRUSTED);
        assertThat(held.err()).contains("safety number with bob has changed", "courier safety-number bob", "courier trust bob", "held");
        assertThat(courier.run("--dir", alice, "send", "bob", "again").failedWith(ExitCode.UNTRUSTED).err()).contains("not sent");
        assertThat(courier.run("--dir", alice, "--json", "contacts").succeeded().first("contact").path("safetyNumberChanged").asBoolean()).isTrue();
        assertThat(courier.run("--dir", alice, "safety-number", "bob").succeeded().out()).contains("changed", "courier trust bob");

        var trusted = courier.run("--dir", alice, "trust", "bob").succeeded();
        assertThat(trusted.out()).contains("Accepted the new safety number with bob", "1 held message(s) sent ✓");
        assertThat(courier.run("--dir", bob, "receive").succeeded().out()).contains("alice: are you bob?").doesNotContain("again");
        assertThat(courier.run("--dir", alice, "--json", "contacts").succeeded().first("contact").path("safetyNumberChanged").asBoolean()).isFalse();
    }

    /// Stores another identity key for `peer` in the device's store and forgets the sessions with
    /// them, as a reinstall on their side would look from this device.
    private static void replaceStoredIdentity(Path deviceDir, String peer) throws Exception {
        byte[] otherKey = IdentityKeyPair.generate().getPublicKey().serialize();
        try (var db = DriverManager.getConnection("jdbc:sqlite:" + deviceDir.resolve("device.db"))) {
            try (var st = db.prepareStatement("UPDATE identities SET identity_key = ? WHERE name = ?")) {
                st.setBytes(1, otherKey);
                st.setString(2, peer);
                assertThat(st.executeUpdate()).isEqualTo(1);
            }
            // Alice's device must never have accepted bob's real key either.
            try (var st = db.prepareStatement("DELETE FROM accepted_identities WHERE name = ?")) {
                st.setString(1, peer);
                st.executeUpdate();
            }
            try (var st = db.prepareStatement("DELETE FROM sessions WHERE name = ?")) {
                st.setString(1, peer);
                st.executeUpdate();
            }
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
