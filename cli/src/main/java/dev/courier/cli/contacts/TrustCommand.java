package dev.courier.cli.contacts;

import dev.courier.cli.CourierCommand;
import dev.courier.cli.Help;
import dev.courier.cli.device.Outbox;
import dev.courier.cli.device.ServerAcceptance;
import dev.courier.cli.failure.CliFailure;
import dev.courier.cli.failure.ExitCode;
import dev.courier.cli.output.Formats;
import dev.courier.cli.output.Output;
import dev.courier.client.ClientListener;
import dev.courier.client.CourierClient;
import dev.courier.client.MessageStatus;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/// `courier trust USER`: accepts a contact's changed safety number and sends what was held for
/// it. Run it only after comparing the number (`courier safety-number USER`).
@Command(name = "trust", description = "Accept a contact's changed safety number and send the messages held for them.")
public final class TrustCommand implements Callable<Integer> {
    private static final Duration WAIT_FOR_SERVER = Duration.ofSeconds(15);

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
            // The SDK reports each held message it releases as PENDING again; count them to follow them.
            List<UUID> released = new CopyOnWriteArrayList<>();
            ClientListener releasedWatcher = new ClientListener() {
                @Override
                public void onStatus(UUID id, MessageStatus status) {
                    if (status == MessageStatus.PENDING) released.add(id);
                }
            };
            client.addListener(releasedWatcher);
            client.trust(user);
            client.removeListener(releasedWatcher);
            int sent = 0;
            String problem = null;
            for (UUID id : released) {
                var outcome = ServerAcceptance.await(client, id, WAIT_FOR_SERVER);
                if (outcome.accepted()) sent++;
                else if (outcome.status() != MessageStatus.PENDING) throw CliFailure.failed("accepted the new safety number with "
                        + who + ", but a held message ended " + Formats.mark(outcome.status()));
                else if (problem == null) problem = outcome.problem();
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
