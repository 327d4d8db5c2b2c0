package dev.courier.cli.contacts;

import dev.courier.cli.CourierCommand;
import dev.courier.cli.Help;
import dev.courier.cli.failure.ExitCode;
import dev.courier.cli.output.Output;
import dev.courier.client.Contact;
import dev.courier.client.CourierClient;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/// `courier contacts`: everyone this device has exchanged messages with, flagging changed
/// safety numbers (the one thing about a contact that needs the user's attention).
@Command(name = "contacts", description = "List the people this device has exchanged messages with.")
public final class ContactsCommand implements Callable<Integer> {
    @ParentCommand
    CourierCommand root;

    @Mixin
    Help help;

    @Override
    public Integer call() {
        try (CourierClient client = root.openDevice()) {
            List<Contact> contacts = client.contacts();
            if (contacts.isEmpty()) root.output().text("No contacts yet: send a message with `courier send USER TEXT`.");
            for (Contact c : contacts) {
                String name = c.username() != null ? c.username() : "(name unknown)";
                root.output().emit(Output.fields("type", "contact", "username", c.username(), "accountId", c.accountId().toString(),
                                "safetyNumberChanged", c.identityChanged()),
                        String.format("%-20s %s%s", name, c.accountId(), c.identityChanged()
                                ? "  ⚠ safety number changed: courier safety-number " + ref(c) + ", then courier trust " + ref(c) : ""));
            }
        }
        return ExitCode.OK;
    }

    private static String ref(Contact c) {
        return c.username() != null ? c.username() : c.accountId().toString();
    }
}
