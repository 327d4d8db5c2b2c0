package dev.courier.bench;

import dev.courier.bench.target.ClusterServer;
import dev.courier.bench.target.RemoteServer;
import dev.courier.bench.target.ServerUnderTest;
import dev.courier.bench.target.SpawnedServer;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/// Options every server scenario shares: which server, and where results go.
public final class ServerOptions {
    static final String DEFAULT_HEAP = "2g";
    private static final long MIN_HEAP = 128L << 20;

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

    @Option(names = "--server-setting", paramLabel = "KEY=VALUE",
            description = "A setting of the started server (repeatable), as in docs/OPERATIONS.md, e.g. websocket.deliveryWindow=1024; "
                    + "it wins over the benchmark's own (raised rate limits and queue depth). The server refuses unknown keys and bad values.")
    Map<String, String> serverSettings = new LinkedHashMap<>();

    @Option(names = "--server-heap", paramLabel = "SIZE|none",
            description = "Heap of each started server, fixed and touched at start (-Xms = -Xmx, -XX:+AlwaysPreTouch), so that no "
                    + "page of it is first faulted in during a run; none leaves the JVM's own sizing (default: 2g; none for idle, "
                    + "whose RSS per connection would otherwise leave the heap out).")
    String serverHeap;

    @Option(names = "--per-address", paramLabel = "N", defaultValue = "25000",
            description = "Connections per loopback source address before moving to the next 127.0.0.x (default: ${DEFAULT-VALUE}).")
    int perAddress;

    @Option(names = "--cluster", paramLabel = "N", defaultValue = "0",
            description = "Start an N-node cluster instead of one server: nodes on a fresh PostgreSQL database, a Redis of their own, nginx in front (deploy/nginx/courier.conf).")
    int cluster;

    @Option(names = "--postgres-url", paramLabel = "JDBC", defaultValue = "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres",
            description = "With --cluster: PostgreSQL where the harness may create and drop its database (default: ${DEFAULT-VALUE}).")
    String postgresUrl;

    /// The server to load: the `--target`, or a new process with the benchmark's settings and a
    /// fixed, pre-touched heap ([#DEFAULT_HEAP] unless `--server-heap` says otherwise).
    ServerUnderTest open(Map<String, String> settings) {
        return open(settings, DEFAULT_HEAP);
    }

    /// As [#open(Map)], with `defaultHeap` (a size, or `none`) when `--server-heap` is not given.
    ServerUnderTest open(Map<String, String> settings, String defaultHeap) {
        if (perAddress < 1) throw new CliException("--per-address must be at least 1");
        if (target != null && cluster > 0) throw new CliException("give --target or --cluster, not both");
        if (target != null) {
            if (target.getScheme() == null || !target.getScheme().startsWith("http") || target.getHost() == null) {
                throw new CliException("--target must be an http:// URL, e.g. http://127.0.0.1:8080");
            }
            return new RemoteServer(target);
        }
        if (cluster < 0 || cluster > 16) throw new CliException("--cluster must be between 1 and 16 nodes");
        String heap = serverHeap == null ? defaultHeap : serverHeap;
        if (heapBytes(heap) * Math.max(1, cluster) > physicalMemory() / 2) {
            throw new CliException("--server-heap " + heap + (cluster > 0 ? " for " + cluster + " nodes" : "")
                    + " would pre-touch more than half of this machine's memory: give a smaller one, or none");
        }
        List<String> jvmOptions = new ArrayList<>(heapOptions(heap));
        // Given after the heap flags, so that an -Xmx among them wins.
        jvmOptions.addAll(serverJvmOptions);
        if (cluster > 0) {
            return ClusterServer.start(cluster, postgresUrl, serverClasspath, jvmOptions, SpawnedServer.benchmarkSettings(settings),
                    serverSettings);
        }
        return SpawnedServer.start(serverClasspath, jvmOptions, SpawnedServer.benchmarkSettings(settings), serverSettings);
    }

    /// The JVM's heap flags for `--server-heap`. A heap that grows while a run goes on costs the
    /// kernel a zeroed page per first touch: on 2026-12-02 a server with the JVM's own sizing took
    /// about 11,500 minor page faults a second at 5,000 sends/s, 60 s after its start, against
    /// about 30 with 2g pre-touched (docs/BENCHMARKS.md).
    static List<String> heapOptions(String heap) {
        if (heap.equals("none")) return List.of();
        return List.of("-Xms" + heap, "-Xmx" + heap, "-XX:+AlwaysPreTouch");
    }

    /// Bytes a `--server-heap` value stands for; 0 for `none`.
    static long heapBytes(String heap) {
        if (heap.equals("none")) return 0;
        if (!heap.matches("[1-9][0-9]{0,6}[kKmMgG]")) throw new CliException("--server-heap must be a size such as 512m or 2g, or none");
        long n = Long.parseLong(heap.substring(0, heap.length() - 1));
        long bytes = switch (Character.toLowerCase(heap.charAt(heap.length() - 1))) {
            case 'k' -> n << 10;
            case 'm' -> n << 20;
            default -> n << 30;
        };
        if (bytes < MIN_HEAP) throw new CliException("--server-heap must be at least 128m, or none");
        return bytes;
    }

    private static long physicalMemory() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
    }
}
