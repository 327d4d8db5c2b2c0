package dev.courier.cli.demo;

import dev.courier.cli.CourierCommand;
import dev.courier.cli.Help;
import dev.courier.cli.device.ServerProbe;
import dev.courier.cli.failure.ExitCode;
import dev.courier.cli.output.Output;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/// `courier demo`: the seed story with real clients, a real server and measured times. Nothing
/// is kept: the devices (and an embedded server's data) live in a temporary directory.
@Command(name = "demo", description = {"Play the story end to end and time each step: alice sends \"Hello!\" to bob.",
    "Twice: first with bob online, then with bob offline until he connects.",
    "Starts its own server unless --server is given; leaves nothing behind."})
public final class DemoCommand implements Callable<Integer> {
    @ParentCommand
    CourierCommand root;

    @Mixin
    Help help;

    @Option(names = "--server", paramLabel = "URL",
            description = "Play against this server (with fresh alice_XXXX and bob_XXXX accounts) instead of an embedded one.")
    URI server;

    @Override
    public Integer call() throws Exception {
        Output out = root.output();
        Path work = Files.createTempDirectory("courier-demo");
        try {
            if (server != null) {
                root.talkingTo(server);
                ServerProbe.requireUp(server);
            }
            try (DemoServer s = server == null ? DemoServer.embedded(work.resolve("server")) : DemoServer.remote(server)) {
                root.talkingTo(s.url());
                // A shared server may already know alice and bob; fresh names keep the demo repeatable there.
                String suffix = s.isEmbedded() ? "" : String.format("_%06x", new SecureRandom().nextInt(0x1000000));
                out.emit(Output.fields("type", "demo_server", "url", s.url().toString(), "embedded", s.isEmbedded()),
                        "Courier demo: alice sends \"" + DemoStory.TEXT + "\" to bob. Times are measured on this run, from alice's message request.\n"
                                + "Server: " + s.url() + (s.isEmbedded() ? " (started for this demo, data in a temporary directory)" : ""));
                new DemoStory(out, s, work.resolve("devices"), "alice" + suffix, "bob" + suffix).play();
            }
        } finally {
            deleteRecursively(work);
        }
        return ExitCode.OK;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
