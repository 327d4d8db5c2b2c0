package dev.courier.cli.push;

import dev.courier.cli.CourierCommand;
import dev.courier.cli.Help;
import dev.courier.cli.device.Connect;
import dev.courier.cli.failure.CliFailure;
import dev.courier.cli.failure.ExitCode;
import dev.courier.cli.messaging.MessagePrinter;
import dev.courier.cli.output.Output;
import dev.courier.client.CourierClient;
import dev.courier.client.PushRegistration;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/// `courier push`: this device's Web Push / UnifiedPush endpoint, and handling a wake-up that
/// arrived at it.
@Command(name = "push", description = {"Manage this device's push endpoint (Web Push or UnifiedPush).",
        "The server posts a content-free, encrypted wake-up there when a message waits and the device is offline."},
        subcommands = {PushCommand.Register.class, PushCommand.Show.class, PushCommand.Remove.class,
            PushCommand.ServerKey.class, PushCommand.Wake.class})
public final class PushCommand {
    @ParentCommand
    CourierCommand root;

    @Mixin
    Help help;

    @Command(name = "register", description = "Register ENDPOINT for wake-ups, replacing any earlier endpoint.")
    static final class Register implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        PushCommand push;

        @Mixin
        Help help;

        @Parameters(paramLabel = "ENDPOINT", description = "The push endpoint URL your distributor or browser gave you.")
        String endpoint;

        @Override
        public Integer call() {
            URI uri = parse(endpoint);
            try (CourierClient client = push.root.openDevice()) {
                PushRegistration registration = client.registerPush(uri);
                emit(push.root.output(), "push_registered", registration, "Wake-ups now go to " + registration.endpoint());
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "show", description = "Show the endpoint the server holds for this device.")
    static final class Show implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        PushCommand push;

        @Mixin
        Help help;

        @Override
        public Integer call() {
            try (CourierClient client = push.root.openDevice()) {
                Optional<PushRegistration> current = client.pushRegistration();
                if (current.isEmpty()) {
                    push.root.output().emit(Output.fields("type", "push_registration", "endpoint", null),
                            "No push endpoint registered; this device gets messages only while connected.");
                } else {
                    emit(push.root.output(), "push_registration", current.get(), "Wake-ups go to " + current.get().endpoint());
                }
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "remove", description = "Stop wake-ups for this device.")
    static final class Remove implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        PushCommand push;

        @Mixin
        Help help;

        @Override
        public Integer call() {
            try (CourierClient client = push.root.openDevice()) {
                client.unregisterPush();
                push.root.output().emit(Output.fields("type", "push_removed"), "Push endpoint removed.");
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "server-key", description = "Print the server's VAPID public key (the distributor's applicationServerKey).")
    static final class ServerKey implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        PushCommand push;

        @Mixin
        Help help;

        @Override
        public Integer call() {
            try (CourierClient client = push.root.openDevice()) {
                String key = client.pushServerKey();
                push.root.output().emit(Output.fields("type", "vapid_key", "publicKey", key), key);
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "wake", description = {"Handle a push that arrived at the endpoint: check it is a wake-up for this device,",
            "then connect and print the messages that waited (like receive)."})
    static final class Wake implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        PushCommand push;

        @Mixin
        Help help;

        @Parameters(paramLabel = "FILE", defaultValue = "-", description = "The push body as delivered (aes128gcm); - reads standard input.")
        String file;

        @Override
        public Integer call() {
            byte[] body = readBody(file);
            try (CourierClient client = push.root.openDevice()) {
                var printer = new MessagePrinter(push.root.output(), client, () -> {});
                client.addListener(printer);
                // Checked before connecting: a push that is not ours must not look like one.
                client.checkPush(body);
                Connect.andReceiveBacklog(client);
                if (printer.messages() == 0) push.root.output().text("Woken, but no new messages.");
            }
            return ExitCode.OK;
        }
    }

    private static URI parse(String endpoint) {
        try {
            URI uri = new URI(endpoint);
            if (!uri.isAbsolute()) throw CliFailure.usage("the endpoint must be an absolute URL, like https://push.example/abc");
            return uri;
        } catch (URISyntaxException e) {
            throw CliFailure.usage("the endpoint is not a valid URL: " + endpoint);
        }
    }

    private static byte[] readBody(String file) {
        try (InputStream in = file.equals("-") ? System.in : Files.newInputStream(Path.of(file))) {
            byte[] body = in.readNBytes(8192);
            if (body.length == 0) throw CliFailure.usage("the push body is empty");
            return body;
        } catch (IOException e) {
            throw CliFailure.usage("cannot read the push body from " + file + ": " + e.getMessage());
        }
    }

    private static void emit(Output out, String type, PushRegistration r, String human) {
        out.emit(Output.fields("type", type, "endpoint", r.endpoint().toString(), "p256dh", r.p256dh(), "auth", r.auth()), human);
    }
}
