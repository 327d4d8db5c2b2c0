package dev.courier.bench;

import dev.courier.bench.load.LoadException;
import dev.courier.bench.target.TargetException;
import dev.courier.bench.xmpp.XmppException;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/// `courier-bench`: the benchmark scenarios of docs/BENCHMARKS.md.
///
/// Exit codes: 0 done, 1 the run failed (server would not start, load could not be set up), 2 bad
/// command-line input. Errors are one line on stderr, never a stack trace.
@Command(name = "courier-bench", mixinStandardHelpOptions = true, version = "courier-bench 0.1.0",
        description = "Benchmarks a Courier server: idle connections, sustained rate, backlog drain, client crypto, and side by side with ejabberd.",
        subcommands = {IdleCommand.class, SustainedCommand.class, DrainCommand.class, CryptoCommand.class, SmokeCommand.class, CompareCommand.class},
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:done", "1:the run failed", "2:bad input"})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /// Runs the command line and returns the exit code (tests call this).
    public static int run(String... args) {
        CommandLines.remember(args);
        CommandLine cli = new CommandLine(new Main());
        cli.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("courier-bench: " + e.getMessage() + " (try --help)");
            return 2;
        });
        cli.setExecutionExceptionHandler((e, c, p) -> {
            String message = switch (e) {
                case CliException x -> x.getMessage();
                case LoadException x -> x.getMessage();
                case TargetException x -> x.getMessage();
                case XmppException x -> x.getMessage();
                case UncheckedIOException x -> x.getMessage();
                default -> e.getClass().getSimpleName() + ": " + e.getMessage();
            };
            c.getErr().println("courier-bench: " + message);
            return e instanceof CliException ? 2 : 1;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a scenario: idle, sustained, drain, crypto, smoke or compare");
    }
}
