package dev.courier.bench;

import dev.courier.bench.target.ClusterServer;
import dev.courier.bench.target.RemoteServer;
import dev.courier.bench.target.ServerUnderTest;
import dev.courier.bench.target.SpawnedServer;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/// Options every server scenario shares: which server, and where results go.
public final class ServerOptions {
    @Option(names = "--target", paramLabel = "URL",
            description = "Load a server that is already running (e.g. http://127.0.0.1:8080) instead of starting one. Memory then comes from its /metrics only.")
    URI target;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "bench-results",
            description = "Directory for the JSON result and HTML report (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--server-classpath", paramLabel = "CP", defaultValue = "${sys:courier.server.classpath}",
            description = "Class path of the server to start (set by ./courier-bench).")
    String serverClasspath;

    @Option(names = "--server-jvm-opt", paramLabel = "OPT", description = "Extra JVM option for the started server (repeatable), e.g. -Xmx2g.")
    List<String> serverJvmOptions = new ArrayList<>();

    @Option(names = "--per-address", paramLabel = "N", defaultValue = "25000",
            description = "Connections per loopback source address before moving to the next 127.0.0.x (default: ${DEFAULT-VALUE}).")
    int perAddress;

    @Option(names = "--cluster", paramLabel = "N", defaultValue = "0",
            description = "Start an N-node cluster instead of one server: nodes on a fresh PostgreSQL database, a Redis of their own, nginx in front (deploy/nginx/courier.conf).")
    int cluster;

    @Option(names = "--postgres-url", paramLabel = "JDBC", defaultValue = "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres",
            description = "With --cluster: PostgreSQL where the harness may create and drop its database (default: ${DEFAULT-VALUE}).")
    String postgresUrl;

    /// The server to load: the `--target`, or a new process with the benchmark's settings.
    ServerUnderTest open(Map<String, String> settings) {
        if (perAddress < 1) throw new CliException("--per-address must be at least 1");
        if (target != null && cluster > 0) throw new CliException("give --target or --cluster, not both");
        if (target != null) {
            if (target.getScheme() == null || !target.getScheme().startsWith("http") || target.getHost() == null) {
                throw new CliException("--target must be an http:// URL, e.g. http://127.0.0.1:8080");
            }
            return new RemoteServer(target);
        }
        if (cluster < 0 || cluster > 16) throw new CliException("--cluster must be between 1 and 16 nodes");
        if (cluster > 0) {
            return ClusterServer.start(cluster, postgresUrl, serverClasspath, serverJvmOptions, SpawnedServer.benchmarkSettings(settings));
        }
        return SpawnedServer.start(serverClasspath, serverJvmOptions, SpawnedServer.benchmarkSettings(settings));
    }
}
