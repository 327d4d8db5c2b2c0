package dev.courier.cli;

import dev.courier.cli.account.RegisterCommand;
import dev.courier.cli.account.WhoamiCommand;
import dev.courier.cli.chat.ChatCommand;
import dev.courier.cli.contacts.ContactsCommand;
import dev.courier.cli.contacts.SafetyNumberCommand;
import dev.courier.cli.contacts.TrustCommand;
import dev.courier.cli.demo.DemoCommand;
import dev.courier.cli.failure.FailureContext;
import dev.courier.cli.messaging.HistoryCommand;
import dev.courier.cli.messaging.ListenCommand;
import dev.courier.cli.messaging.ReceiveCommand;
import dev.courier.cli.messaging.SendCommand;
import dev.courier.cli.output.Output;
import dev.courier.cli.push.PushCommand;
import dev.courier.client.CourierClient;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/// `courier`: the root command. It owns what every subcommand shares (the device directory, the
/// output mode) and reaches them to the subcommands through `@ParentCommand`.
@Command(name = "courier", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"End-to-end-encrypted messaging with a Courier server.", "",
            "Each device lives in a directory (its keys, contacts, history and outbox).",
            "Start with: courier register USERNAME --server URL"},
        subcommands = {RegisterCommand.class, WhoamiCommand.class, SendCommand.class, ReceiveCommand.class,
            ListenCommand.class, ChatCommand.class, HistoryCommand.class, ContactsCommand.class,
            SafetyNumberCommand.class, TrustCommand.class, PushCommand.class, DemoCommand.class},
        footer = {"", "Environment:",
            "  COURIER_HOME       default device directory",
            "  COURIER_LOG_LEVEL  level of the SDK's log on stderr (default WARN)",
            "  COURIER_DEBUG=1    add stack traces to error messages"})
public final class CourierCommand implements Callable<Integer>, FailureContext {
    @Spec
    CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "Device directory (default: $COURIER_HOME, else ~/.courier).")
    Path dir;

    @Option(names = "--json", scope = ScopeType.INHERIT,
            description = "Machine-readable output: one JSON object per line (errors too, on stderr).")
    boolean json;

    private final CliEnvironment environment;
    private volatile URI server;
    private Output output;

    CourierCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "no command given");
    }

    public CliEnvironment environment() {
        return environment;
    }

    @Override
    public Path deviceDir() {
        return dir != null ? dir : environment.defaultDeviceDir();
    }

    @Override
    public boolean json() {
        return json;
    }

    @Override
    public Optional<URI> server() {
        return Optional.ofNullable(server);
    }

    @Override
    public boolean debug() {
        return environment.debug();
    }

    /// Records the server a command talks to, so a failure can name it.
    public void talkingTo(URI server) {
        this.server = server;
    }

    public synchronized Output output() {
        if (output == null) output = new Output(spec.commandLine().getOut(), spec.commandLine().getErr(), json);
        return output;
    }

    /// Opens the device in the device directory.
    ///
    /// @throws dev.courier.client.CourierException.NotRegistered if there is none (the error handler words it)
    public CourierClient openDevice() {
        CourierClient client = CourierClient.open(deviceDir());
        talkingTo(client.whoami().server());
        return client;
    }
}
