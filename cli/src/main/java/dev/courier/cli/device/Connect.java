package dev.courier.cli.device;

import dev.courier.cli.failure.CliFailure;
import dev.courier.client.CourierClient;
import java.net.URI;
import java.time.Duration;

/// Opens a device's delivery connection and waits for the backlog, with failures worded for
/// the user. The SDK's `connect` only says "not within the timeout"; this tells apart a server
/// that is down, a connection that never came up, and a backlog that is still arriving.
public final class Connect {
    public static final Duration BACKLOG_TIMEOUT = Duration.ofSeconds(15);

    private Connect() {}

    /// Connects and waits until everything waiting on the server has arrived (and been printed by
    /// the listeners), or throws.
    public static void andReceiveBacklog(CourierClient client) {
        URI server = client.whoami().server();
        ServerProbe.requireUp(server);
        if (client.connect(BACKLOG_TIMEOUT)) return;
        if (!client.isConnected()) {
            String problem = ServerProbe.problem(server);
            throw CliFailure.unreachable(problem != null ? problem
                    : "the server at " + server + " answers, but the delivery connection did not open within "
                    + BACKLOG_TIMEOUT.toSeconds() + " s (is this device still registered there?)");
        }
        throw CliFailure.failed("connected, but the messages waiting on the server did not all arrive within "
                + BACKLOG_TIMEOUT.toSeconds() + " s; run the command again for the rest");
    }
}
