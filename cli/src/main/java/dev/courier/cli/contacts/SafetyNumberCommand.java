package dev.courier.cli.contacts;

import dev.courier.cli.CourierCommand;
import dev.courier.cli.Help;
import dev.courier.cli.failure.ExitCode;
import dev.courier.cli.output.Output;
import dev.courier.client.CourierClient;
import dev.courier.client.SafetyNumber;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/// `courier safety-number USER`: the 60 digits both sides compare (in person or over another
/// channel) to be sure no one sits between them; the same number Signal shows.
@Command(name = "safety-number", description = "Show the safety number to compare with a contact.")
public final class SafetyNumberCommand implements Callable<Integer> {
    @ParentCommand
    CourierCommand root;

    @Mixin
    Help help;

    @Parameters(paramLabel = "USER", description = "The contact's username.")
    String user;

    @Override
    public Integer call() {
        try (CourierClient client = root.openDevice()) {
            String name = KnownContact.require(client, user).username();
            String who = name != null ? name : user;
            SafetyNumber number = client.safetyNumber(user);
            boolean changed = client.identityChanged(user);
            String me = client.whoami().username();
            StringBuilder human = new StringBuilder("Safety number with " + who + ":\n\n");
            for (String line : number.grouped().split("\n")) human.append("    ").append(line).append('\n');
            human.append("\nCompare it with the number ").append(who).append(" sees (`courier safety-number ").append(me)
                    .append("` on their device). If they match, no one is in between.");
            if (changed) {
                human.append("\n⚠ This number changed since you last accepted it; messages to ").append(who)
                        .append(" are held. If it matches, run `courier trust ").append(who).append("`.");
            }
            root.output().emit(Output.fields("type", "safety_number", "user", who, "digits", number.digits(),
                    "grouped", number.grouped().replace('\n', ' '), "changed", changed), human.toString());
        }
        return ExitCode.OK;
    }
}
