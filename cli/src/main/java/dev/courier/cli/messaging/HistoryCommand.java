package dev.courier.cli.messaging;

import dev.courier.cli.CourierCommand;
import dev.courier.cli.Help;
import dev.courier.cli.failure.CliFailure;
import dev.courier.cli.failure.ExitCode;
import dev.courier.cli.output.Formats;
import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import dev.courier.client.Message;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/// `courier history USER`: the conversation as this device stored it, with each sent message's
/// status. Reads only the device store, so it works offline.
@Command(name = "history", description = "Show the conversation with a user (from this device's store; works offline).")
public final class HistoryCommand implements Callable<Integer> {
    @ParentCommand
    CourierCommand root;

    @Spec
    CommandSpec spec;

    @Mixin
    Help help;

    @Parameters(paramLabel = "USER", description = "The other person's username.")
    String user;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "Show the last N messages (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
        if (limit < 1) throw new ParameterException(spec.commandLine(), "--limit must be at least 1");
        try (CourierClient client = root.openDevice()) {
            List<Message> messages;
            try {
                messages = client.history(user, limit);
            } catch (CourierException.UnknownContact e) {
                throw CliFailure.unknownUser("no conversation with '" + user + "' on this device");
            }
            if (messages.isEmpty()) root.output().text("No messages with " + user + " yet.");
            for (Message m : messages) root.output().emit(Formats.json("message", m), Formats.line(m, false));
        }
        return ExitCode.OK;
    }
}
