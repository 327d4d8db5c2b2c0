package dev.courier.cli.chat;

import dev.courier.cli.CourierCommand;
import dev.courier.cli.Help;
import dev.courier.cli.device.Outbox;
import dev.courier.cli.device.ServerProbe;
import dev.courier.cli.failure.CliFailure;
import dev.courier.cli.failure.ExitCode;
import dev.courier.client.Contact;
import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/// `courier chat USER`: an interactive conversation. Typed lines are sent; incoming messages and
/// status changes appear above the prompt as they happen (JLine's `printAbove` keeps the line
/// being typed intact).
@Command(name = "chat", description = {"Chat with a user interactively.",
    "Incoming messages appear live; sent ones show ✓ (on the server), ✓✓ (delivered), then read.",
    "Type /quit or press Ctrl-D to leave."})
public final class ChatCommand implements Callable<Integer> {
    private static final int HISTORY = 20;
    private static final String HELP = "/quit (or Ctrl-D) leaves the chat; anything else is sent to ";

    @ParentCommand
    CourierCommand root;

    @Spec
    CommandSpec spec;

    @Mixin
    Help help;

    @Parameters(paramLabel = "USER", description = "The other person's username.")
    String user;

    @Override
    public Integer call() throws Exception {
        if (root.json()) {
            throw new ParameterException(spec.commandLine(), "chat is interactive and has no --json form; use `listen --json` and `send --json`");
        }
        try (CourierClient client = root.openDevice()) {
            ServerProbe.requireUp(client.whoami().server());
            UUID peer = lookUp(client);
            try (Terminal terminal = root.environment().terminals().open()) {
                LineReader reader = LineReaderBuilder.builder().terminal(terminal).appName("courier").build();
                try (ChatScreen screen = new ChatScreen(reader, client, user, peer)) {
                    client.addListener(screen);
                    screen.print("Chat with " + user + " as " + client.whoami().username() + ". /quit or Ctrl-D to leave.");
                    if (!client.connect(Duration.ofSeconds(15))) {
                        screen.print("(still connecting; messages appear once the connection is up)");
                    }
                    screen.showHistory(() -> client.history(user, HISTORY));
                    converse(reader, screen, client);
                    int left = Outbox.drain(client, Duration.ofSeconds(5));
                    if (left > 0) screen.print("(" + left + " item(s) still in the outbox; they go out the next time courier runs)");
                }
            }
        }
        return ExitCode.OK;
    }

    private void converse(LineReader reader, ChatScreen screen, CourierClient client) {
        String prompt = user + "> ";
        while (true) {
            String line;
            try {
                line = reader.readLine(prompt);
            } catch (UserInterruptException | EndOfFileException e) {
                return;
            }
            line = line.strip();
            if (line.isEmpty()) continue;
            if (line.equals("/quit") || line.equals("/exit")) return;
            if (line.startsWith("/")) {
                screen.print(HELP + user + ".");
                continue;
            }
            if (client.identityChanged(user)) {
                screen.print("⚠ not sent: the safety number with " + user + " has changed. Leave the chat, compare it with `courier safety-number "
                        + user + "`, then accept it with `courier trust " + user + "`");
                continue;
            }
            screen.send(line);
        }
    }

    /// Resolves USER once before the screen opens, so a typo fails with one clear line (this also
    /// marks what already waits from them as read, since the chat is about to show it).
    private UUID lookUp(CourierClient client) {
        try {
            client.markRead(user);
        } catch (CourierException.UnknownUser e) {
            throw CliFailure.unknownUser(e.getMessage());
        }
        String wanted = user.toLowerCase(Locale.ROOT);
        return client.contacts().stream()
                .filter(c -> wanted.equals(c.username()) || c.accountId().toString().equals(wanted))
                .map(Contact::accountId)
                .findFirst()
                .orElseThrow(() -> CliFailure.unknownUser("no user named '" + user + "' on this server"));
    }
}
