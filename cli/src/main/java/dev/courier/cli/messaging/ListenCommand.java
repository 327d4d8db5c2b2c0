package dev.courier.cli.messaging;

import dev.courier.cli.CourierCommand;
import dev.courier.cli.Help;
import dev.courier.cli.device.Connect;
import dev.courier.cli.device.Outbox;
import dev.courier.cli.failure.ExitCode;
import dev.courier.cli.output.Output;
import dev.courier.client.ClientListener;
import dev.courier.client.CourierClient;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/// `courier listen`: stays connected and prints messages (and receipts) the moment they arrive,
/// until Ctrl-C, or until `--count` messages have come, which lets a script wait for a reply.
@Command(name = "listen", description = "Stay connected and print messages as they arrive, until Ctrl-C.")
public final class ListenCommand implements Callable<Integer> {
    @ParentCommand
    CourierCommand root;

    @Spec
    CommandSpec spec;

    @Mixin
    Help help;

    @Option(names = "--count", paramLabel = "N", description = "Exit after N messages (the backlog counts).")
    Integer count;

    @Override
    public Integer call() throws InterruptedException {
        if (count != null && count < 1) {
            throw new ParameterException(spec.commandLine(), "--count must be at least 1");
        }
        Output out = root.output();
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        AtomicInteger received = new AtomicInteger();
        AtomicBoolean live = new AtomicBoolean();
        AtomicBoolean lost = new AtomicBoolean();
        // Ctrl-C: let the main thread close the device cleanly (the hook must not return before that).
        Thread onInterrupt = new Thread(() -> {
            stop.countDown();
            try {
                closed.await(3, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "courier-listen-stop");
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        try (CourierClient client = root.openDevice()) {
            client.addListener(new MessagePrinter(out, client, () -> {
                if (count != null && received.incrementAndGet() >= count) stop.countDown();
            }));
            client.addListener(new ClientListener() {
                @Override
                public void onConnection(boolean connected) {
                    // "Up" can be reported after the backlog is in: only a reconnection after a loss is news.
                    if (!connected && live.get() && !lost.getAndSet(true)) out.notice("(connection lost; reconnecting...)");
                    if (connected && lost.getAndSet(false)) out.notice("(connected again)");
                }
            });
            Connect.andReceiveBacklog(client);
            live.set(true);
            if (stop.getCount() > 0) {
                out.notice("Listening as " + client.whoami().username() + " on " + client.whoami().server() + "; Ctrl-C to stop.");
            }
            stop.await();
            Outbox.drain(client, Duration.ofSeconds(2));
        } finally {
            closed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(onInterrupt);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is running and ends now that the device is closed.
            }
        }
        return ExitCode.OK;
    }
}
