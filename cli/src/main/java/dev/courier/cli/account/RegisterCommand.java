package dev.courier.cli.account;

import dev.courier.cli.CourierCommand;
import dev.courier.cli.Help;
import dev.courier.cli.failure.CliFailure;
import dev.courier.cli.failure.ExitCode;
import dev.courier.cli.output.Output;
import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import dev.courier.client.Identity;
import java.net.URI;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/// `courier register USERNAME --server URL [--token T]`: creates the account and makes the device
/// directory its first device (keys are generated here and never leave it, except the public ones).
@Command(name = "register", description = "Create an account on a server, with the device directory as its first device.")
public final class RegisterCommand implements Callable<Integer> {
    @ParentCommand
    CourierCommand root;

    @Spec
    CommandSpec spec;

    @Mixin
    Help help;

    @Parameters(paramLabel = "USERNAME", description = "3 to 32 characters: a letter, then letters, digits, '_' or '.'.")
    String username;

    @Option(names = "--server", paramLabel = "URL", required = true, description = "The server, e.g. http://localhost:8080.")
    URI server;

    @Option(names = "--token", paramLabel = "T", description = "Registration token, for servers that register by invitation only.")
    String token;

    @Override
    public Integer call() {
        if (server.getScheme() == null || !server.getScheme().matches("https?") || server.getHost() == null) {
            throw new ParameterException(spec.commandLine(), "--server must be an http:// or https:// address such as http://localhost:8080 (got '" + server + "')");
        }
        root.talkingTo(server);
        Identity me;
        try (CourierClient client = CourierClient.register(root.deviceDir(), server, username, token)) {
            me = client.whoami();
        } catch (CourierException.Refused e) {
            throw refused(e);
        } catch (CourierException.ServerUnreachable | CourierException.UnknownUser | CourierException.NotRegistered e) {
            throw e;
        } catch (CourierException e) {
            // The SDK refuses to overwrite a registered device; say how to register another one.
            if (e.getMessage() != null && e.getMessage().startsWith("a device is already registered")) {
                throw CliFailure.failed(e.getMessage() + "; use --dir DIR to register another device, or `courier whoami` to see this one");
            }
            throw e;
        }
        root.output().emit(Output.fields("type", "registered", "accountId", me.accountId().toString(), "username", me.username(),
                        "deviceId", me.deviceId(), "server", me.server().toString(), "dir", root.deviceDir().toString()),
                "Registered " + me.username() + " on " + me.server() + "\n"
                        + "  account  " + me.accountId() + "\n"
                        + "  device   " + me.deviceId() + "\n"
                        + "  keys in  " + root.deviceDir());
        return ExitCode.OK;
    }

    private CliFailure refused(CourierException.Refused e) {
        String why = switch (e.code()) {
            case "username_taken" -> "the username '" + username + "' is already taken on " + server + "; choose another";
            case "invalid_username" -> "'" + username + "' cannot be a username: " + e.getMessage();
            case "registration_token_required" -> server + " registers by invitation only: ask its operator for a token and pass --token T";
            case "invalid_registration_token" -> "the registration token was refused (wrong, used up or expired)";
            case "rate_limited" -> "too many registrations from this address; try again later";
            default -> "the server refused the registration: " + e.getMessage() + " (" + e.code() + ")";
        };
        return new CliFailure(ExitCode.FAILED, e.code(), why);
    }
}
