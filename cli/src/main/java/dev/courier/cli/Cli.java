package dev.courier.cli;

import dev.courier.cli.failure.ErrorHandler;
import dev.courier.cli.failure.ExitCode;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;

/// Builds the `courier` command line with its error handling, for `Main` and for tests alike, so
/// the tests run exactly what users run.
public final class Cli {
    private Cli() {}

    public static CommandLine commandLine(CliEnvironment environment, PrintWriter out, PrintWriter err) {
        CourierCommand root = new CourierCommand(environment);
        CommandLine cl = new CommandLine(root);
        cl.setOut(out);
        cl.setErr(err);
        ErrorHandler errors = new ErrorHandler(root);
        cl.setExecutionExceptionHandler(errors);
        cl.setParameterExceptionHandler(errors);
        Map<String, String> codes = new LinkedHashMap<>();
        for (String entry : ExitCode.HELP) {
            int colon = entry.indexOf(':');
            codes.put(entry.substring(0, colon), entry.substring(colon + 1));
        }
        cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(codes);
        return cl;
    }
}
