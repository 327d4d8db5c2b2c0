package dev.courier.cli.account;

import dev.courier.cli.CourierCommand;
import dev.courier.cli.Help;
import dev.courier.cli.failure.ExitCode;
import dev.courier.cli.output.Output;
import dev.courier.client.CourierClient;
import dev.courier.client.Identity;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/// `courier whoami`: which account and server this device directory belongs to. Works offline.
@Command(name = "whoami", description = "Show the account, device and server of the device directory.")
public final class WhoamiCommand implements Callable<Integer> {
    @ParentCommand
    CourierCommand root;

    @Mixin
    Help help;

    @Override
    public Integer call() {
        try (CourierClient client = root.openDevice()) {
            Identity me = client.whoami();
            int waiting = client.pendingOutgoing();
            root.output().emit(Output.fields("type", "identity", "accountId", me.accountId().toString(), "username", me.username(),
                            "deviceId", me.deviceId(), "server", me.server().toString(), "dir", root.deviceDir().toString(),
                            "outbox", waiting),
                    me.username() + " (account " + me.accountId() + ", device " + me.deviceId() + ")\n"
                            + "  server   " + me.server() + "\n"
                            + "  keys in  " + root.deviceDir()
                            + (waiting > 0 ? "\n  outbox   " + waiting + " item(s) waiting to be sent" : ""));
        }
        return ExitCode.OK;
    }
}
