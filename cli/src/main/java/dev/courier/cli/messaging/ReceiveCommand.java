package dev.courier.cli.messaging;

import dev.courier.cli.CourierCommand;
import dev.courier.cli.Help;
import dev.courier.cli.device.Connect;
import dev.courier.cli.device.Outbox;
import dev.courier.cli.failure.ExitCode;
import dev.courier.client.CourierClient;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/// `courier receive`: connects, prints whatever waited on the server, and exits once the server
/// says the queue is empty. The outbox gets a moment too, so the senders' delivery receipts
/// leave now and not on the next run.
@Command(name = "receive", description = "Fetch and print new messages, then exit.")
public final class ReceiveCommand implements Callable<Integer> {
    @ParentCommand
    CourierCommand root;

    @Mixin
    Help help;

    @Override
    public Integer call() {
        try (CourierClient client = root.openDevice()) {
            var printer = new MessagePrinter(root.output(), client, () -> {});
            client.addListener(printer);
            Connect.andReceiveBacklog(client);
            int left = Outbox.drain(client, Duration.ofSeconds(5));
            if (printer.messages() == 0) root.output().text("No new messages.");
            if (left > 0) root.output().notice("(" + left + " outgoing item(s) still wait in the outbox; they go out on a later run)");
        }
        return ExitCode.OK;
    }
}
