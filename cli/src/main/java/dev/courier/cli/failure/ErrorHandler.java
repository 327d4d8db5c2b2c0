package dev.courier.cli.failure;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.courier.client.CourierException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/// Every failure leaves `courier` here: one line on stderr (a JSON object with `--json`), an exit
/// code that says what kind of failure it was, and never a stack trace, because a user can act on
/// "the server is not running" but not on forty lines of Java.
public final class ErrorHandler implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SERVER_IN_MESSAGE = Pattern.compile("\\bat (\\S+)");

    private final FailureContext context;

    public ErrorHandler(FailureContext context) {
        this.context = context;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine commandLine, ParseResult parseResult) {
        CliFailure failure = translate(ex);
        PrintWriter err = commandLine.getErr();
        report(err, context.json(), failure.code(), failure.getMessage(), failure.exitCode());
        if (context.debug()) ex.printStackTrace(err);
        err.flush();
        return failure.exitCode();
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        StringBuilder message = new StringBuilder(oneLine(ex.getMessage()));
        if (ex instanceof UnmatchedArgumentException unmatched && unknownCommand(unmatched) != null) {
            message = new StringBuilder("unknown command '" + unknownCommand(unmatched) + "'");
        }
        if (ex instanceof UnmatchedArgumentException unmatched) {
            List<String> suggestions = unmatched.getSuggestions();
            if (!suggestions.isEmpty()) message.append(" (did you mean '").append(suggestions.getFirst()).append("'?)");
        }
        message.append("; see '").append(cmd.getCommandSpec().qualifiedName()).append(" --help'");
        boolean json = Arrays.asList(args).contains("--json");
        int code = cmd.getCommandSpec().exitCodeOnInvalidInput();
        report(cmd.getErr(), json, "usage", message.toString(), code);
        cmd.getErr().flush();
        return code;
    }

    /// The word given where a subcommand was expected, if that is what went wrong.
    private static String unknownCommand(UnmatchedArgumentException ex) {
        var spec = ex.getCommandLine().getCommandSpec();
        List<String> unmatched = ex.getUnmatched();
        if (spec.subcommands().isEmpty() || unmatched.isEmpty() || unmatched.getFirst().startsWith("-")) return null;
        return unmatched.getFirst();
    }

    /// Maps what the SDK throws onto the CLI's failure kinds, adding what the user should do next.
    CliFailure translate(Throwable ex) {
        return switch (ex) {
            case CliFailure f -> f;
            case CourierException.ServerUnreachable e -> CliFailure.unreachable(unreachableMessage(e));
            case CourierException.UnknownUser e -> CliFailure.unknownUser(e.getMessage());
            case CourierException.UnknownContact e -> CliFailure.unknownUser(e.getMessage());
            case CourierException.UntrustedIdentity e -> new CliFailure(ExitCode.UNTRUSTED, "untrusted_identity",
                    e.getMessage() + " (see `courier safety-number USER`, then `courier trust USER`)");
            case CourierException.NotRegistered e -> new CliFailure(ExitCode.NOT_REGISTERED, "not_registered",
                    "no device is registered in " + context.deviceDir()
                            + "; run `courier register USERNAME --server URL` first (or choose another directory with --dir)");
            case CourierException.Refused e -> new CliFailure(ExitCode.FAILED, e.code(),
                    "the server refused: " + oneLine(e.getMessage()) + " (" + e.code() + ")");
            case CourierException e -> CliFailure.failed(oneLine(e.getMessage()));
            default -> new CliFailure(ExitCode.FAILED, "internal_error", "unexpected failure: "
                    + oneLine(ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage())
                    + " (run with COURIER_DEBUG=1 for details)");
        };
    }

    private String unreachableMessage(CourierException.ServerUnreachable e) {
        if (e.getCause() == null) return oneLine(e.getMessage()); // a 5xx answer: the SDK's wording is already plain
        String server = context.server().map(Object::toString).orElseGet(() -> {
            Matcher m = SERVER_IN_MESSAGE.matcher(e.getMessage() == null ? "" : e.getMessage());
            return m.find() ? m.group(1) : "the server";
        });
        return "cannot reach the server at " + server + ": " + NetworkReasons.describe(e.getCause());
    }

    static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    /// Writes the one line: `courier: message`, or `{"type":"error",...}` for `--json`.
    public static void report(PrintWriter err, boolean json, String code, String message, int exitCode) {
        if (json) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("type", "error");
            line.put("error", code);
            line.put("message", message);
            line.put("exitCode", exitCode);
            try {
                err.println(JSON.writeValueAsString(line));
            } catch (JsonProcessingException impossible) {
                err.println("courier: " + message);
            }
        } else {
            err.println("courier: " + message);
        }
    }
}
