package dev.courier.cli.device;

import dev.courier.cli.failure.CliFailure;
import dev.courier.cli.failure.NetworkReasons;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/// Asks the server's `/health` whether it is there at all. The SDK retries quietly in the
/// background (that is what keeps the outbox durable), so without this a command would wait out
/// its whole timeout before it could tell the user "the server is down".
public final class ServerProbe {
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private ServerProbe() {}

    /// Throws a [CliFailure] with exit code "unreachable" unless the server answers healthy.
    public static void requireUp(URI server) {
        String problem = problem(server);
        if (problem != null) throw CliFailure.unreachable(problem);
    }

    /// Null if the server answered healthy, else why not, in words.
    public static String problem(URI server) {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build()) {
            HttpRequest request = HttpRequest.newBuilder(server.resolve("/health")).timeout(TIMEOUT).GET().build();
            int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status >= 500) return "the server at " + server + " is not healthy (HTTP " + status + " from /health)";
            return null;
        } catch (IOException e) {
            return "cannot reach the server at " + server + ": " + NetworkReasons.describe(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while reaching the server at " + server;
        } catch (IllegalArgumentException e) {
            return "'" + server + "' is not a server address such as http://localhost:8080";
        }
    }
}
