package dev.courier.cli.messaging;

import dev.courier.cli.CourierCommand;
import dev.courier.cli.Help;
import dev.courier.cli.device.Outbox;
import dev.courier.cli.device.ServerAcceptance;
import dev.courier.cli.failure.CliFailure;
import dev.courier.cli.failure.ExitCode;
import dev.courier.cli.failure.NetworkReasons;
import dev.courier.cli.output.Output;
import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import dev.courier.client.Message;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/// `courier send USER TEXT...`: puts the message in the device's durable outbox and waits for the
/// server's `200` (✓). If the server is down the message stays in the outbox and leaves on a
/// later run of any command that connects; the exit code says so.
@Command(name = "send", description = "Send a message and wait until the server has stored it (✓).")
public final class SendCommand implements Callable<Integer> {
    static final Duration WAIT_FOR_SERVER = Duration.ofSeconds(15);

    @ParentCommand
    CourierCommand root;

    @Mixin
    Help help;

    @Parameters(index = "0", paramLabel = "USER", description = "The recipient's username.")
    String user;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "TEXT", description = "The message; several words are joined with spaces.")
    List<String> words;

    @Override
    public Integer call() {
        String text = String.join(" ", words);
        Output out = root.output();
        try (CourierClient client = root.openDevice()) {
            // The SDK would queue it behind the held messages without a word; say why it cannot go now.
            if (client.identityChanged(user)) throw CliFailure.untrusted(user, "not sent");
            Message message;
            try {
                message = client.send(user, text);
            } catch (CourierException.ServerUnreachable e) {
                throw CliFailure.unreachable("not sent: " + unreachableReason(e) + ". " + user
                        + " is new to this device and must be looked up on the server first, so nothing was kept");
            }
            ServerAcceptance.Outcome outcome = ServerAcceptance.await(client, message.id(), WAIT_FOR_SERVER);
            String to = message.peerName() != null ? message.peerName() : user;
            var fields = Output.fields("type", outcome.accepted() ? "sent" : "not_sent", "id", message.id().toString(), "to", to,
                    "status", outcome.status().name());
            if (outcome.accepted()) {
                out.emit(fields, "✓ sent to " + to);
                Outbox.drain(client, Duration.ofSeconds(3)); // receipts or older messages waiting with it
                return ExitCode.OK;
            }
            if (out.json()) out.emit(fields, "");
            throw switch (outcome.status()) {
                case UNTRUSTED -> CliFailure.untrusted(to, "not sent, held in the outbox until you accept it");
                case FAILED -> CliFailure.failed("not sent: the server refused the message for good (the warning above gives the server's reason)");
                default -> new CliFailure(ExitCode.QUEUED, "queued", "not sent yet: " + outcome.problem()
                        + ". The message is kept in the outbox and goes out the next time courier runs with the server up"
                        + " (e.g. `courier receive`)");
            };
        }
    }

    private String unreachableReason(CourierException.ServerUnreachable e) {
        if (e.getCause() == null) return e.getMessage(); // an HTTP 5xx: the SDK's words are plain already
        return "cannot reach the server at " + root.server().map(String::valueOf).orElse("?") + ": " + NetworkReasons.describe(e.getCause());
    }
}
