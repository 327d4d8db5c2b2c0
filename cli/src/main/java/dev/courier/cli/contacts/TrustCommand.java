package dev.courier.cli.contacts;

import dev.courier.cli.CourierCommand;
import dev.courier.cli.Help;
import dev.courier.cli.device.Outbox;
import dev.courier.cli.device.ServerAcceptance;
import dev.courier.cli.failure.CliFailure;
import dev.courier.cli.failure.ExitCode;
import dev.courier.cli.output.Formats;
import dev.courier.cli.output.Output;
import dev.courier.client.CourierClient;
import dev.courier.client.Message;
import dev.courier.client.MessageStatus;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/// `courier trust USER`: accepts a contact's changed safety number and sends what was held for
/// it. Run it only after comparing the number (`courier safety-number USER`).
@Command(name = "trust", description = "Accept a contact's changed safety number and send the messages held for them.")
public final class TrustCommand implements Callable<Integer> {
    private static final Duration WAIT_FOR_SERVER = Duration.ofSeconds(15);
    /// Held messages are recent; look this far back for them.
    private static final int HELD_SEARCH_DEPTH = 1000;

    @ParentCommand
    CourierCommand root;

    @Mixin
    Help help;

    @Parameters(paramLabel = "USER", description = "The contact's username.")
    String user;

    @Override
    public Integer call() {
        Output out = root.output();
        try (CourierClient client = root.openDevice()) {
            var contact = KnownContact.require(client, user);
            String who = contact.username() != null ? contact.username() : user;
            if (!client.identityChanged(user)) {
                out.emit(Output.fields("type", "trusted", "user", who, "changed", false, "released", 0),
                        "The safety number with " + who + " has not changed; nothing to accept.");
                return ExitCode.OK;
            }
            // The messages waiting for this decision, read from the history before accepting: the SDK's
            // trust() releases them without reporting which (its PENDING event never fires, because
            // MessageStatus.UNTRUSTED may not move back to PENDING).
            List<UUID> released = client.history(user, HELD_SEARCH_DEPTH).stream()
                    .filter(m -> m.outgoing() && (m.status() == MessageStatus.UNTRUSTED || m.status() == MessageStatus.PENDING))
                    .map(Message::id)
                    .toList();
            client.trust(user);
            int sent = 0;
            String problem = null;
            for (UUID id : released) {
                var outcome = ServerAcceptance.awaitReleased(client, id, WAIT_FOR_SERVER);
                if (outcome.accepted()) {
                    sent++;
                } else if (outcome.problem() == null) {
                    throw CliFailure.failed("accepted the new safety number with " + who + ", but a held message ended "
                            + Formats.mark(outcome.status()));
                } else if (problem == null) {
                    problem = outcome.problem();
                }
            }
            var fields = Output.fields("type", "trusted", "user", who, "changed", true, "released", released.size(), "sent", sent);
            if (problem != null) {
                if (out.json()) out.emit(fields, "");
                throw new CliFailure(ExitCode.QUEUED, "queued", "accepted the new safety number with " + who + ", but "
                        + (released.size() - sent) + " held message(s) are not sent yet: " + problem
                        + ". They stay in the outbox and go out the next time courier runs with the server up");
            }
            Outbox.drain(client, Duration.ofSeconds(3));
            out.emit(fields, "Accepted the new safety number with " + who + "."
                    + (released.isEmpty() ? "" : " " + sent + " held message(s) sent ✓"));
        }
        return ExitCode.OK;
    }
}
