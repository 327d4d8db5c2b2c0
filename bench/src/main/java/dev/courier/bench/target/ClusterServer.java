package dev.courier.bench.target;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/// A whole cluster under load: `n` Courier nodes ([SpawnedServer]s) on a fresh PostgreSQL database
/// of the machine's server, a Redis process of their own, and nginx in front with the example
/// configuration `deploy/nginx/courier.conf`. The load goes to nginx; metrics and memory are
/// summed over the nodes. Everything is removed on close.
///
/// On one machine this measures what clustering costs (PostgreSQL instead of SQLite, Redis hops,
/// the proxy), not what it scales to: every node shares the same two cores.
public final class ClusterServer implements ServerUnderTest {
    private static final Path NGINX_EXAMPLE = Path.of("deploy", "nginx", "courier.conf");

    /// The example configuration, from the repository root (where `./courier-bench` runs) or from
    /// a module folder (where the tests run).
    private static Path nginxExample() {
        for (Path candidate : List.of(NGINX_EXAMPLE, Path.of("..").resolve(NGINX_EXAMPLE))) {
            if (Files.isRegularFile(candidate)) return candidate;
        }
        return NGINX_EXAMPLE;
    }

    private final String adminUrl;
    private final String database;
    private final Path dir;
    private final Process redis;
    private final List<SpawnedServer> nodes;
    private final Process nginx;
    private final URI base;

    private ClusterServer(String adminUrl, String database, Path dir, Process redis, List<SpawnedServer> nodes,
                          Process nginx, URI base) {
        this.adminUrl = adminUrl;
        this.database = database;
        this.dir = dir;
        this.redis = redis;
        this.nodes = nodes;
        this.nginx = nginx;
        this.base = base;
    }

    /// @param postgresAdminUrl a JDBC URL of the machine's PostgreSQL on which the harness may
    ///                         create and drop a database, e.g. `jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres`
    /// @param chosen            settings given on the command line, on top of `settings` and each node's own
    public static ClusterServer start(int nodeCount, String postgresAdminUrl, String classpath, List<String> jvmOptions,
                                      Map<String, String> settings, Map<String, String> chosen) {
        Path dir = ScratchDirectory.create("courier-bench-cluster");
        String database = "courier_bench_" + HexFormat.of().formatHex(randomBytes());
        List<SpawnedServer> nodes = new ArrayList<>();
        Process redis = null;
        Process nginx = null;
        try {
            admin(postgresAdminUrl, "CREATE DATABASE " + database);
            int redisPort = SpawnedServer.freePort();
            redis = startProcess(dir, "redis", List.of("redis-server", "--port", Integer.toString(redisPort), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no"));
            awaitPort(redisPort, redis, "redis-server");
            for (int i = 1; i <= nodeCount; i++) {
                Map<String, String> node = new LinkedHashMap<>(settings);
                node.put("storage.backend", "postgres");
                node.put("storage.postgres.url", withDatabase(postgresAdminUrl, database));
                node.put("storage.postgres.poolSize", "16");
                node.put("cluster.redisUrl", "redis://127.0.0.1:" + redisPort);
                node.put("cluster.nodeId", "node" + i);
                node.put("http.trustedProxies", "127.0.0.1");
                nodes.add(SpawnedServer.start(classpath, jvmOptions, node, chosen));
            }
            int nginxPort = SpawnedServer.freePort();
            writeNginxConfig(dir, nodes, nginxPort);
            nginx = startProcess(dir, "nginx", List.of(nginxBinary(), "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString()));
            awaitPort(nginxPort, nginx, "nginx");
            return new ClusterServer(postgresAdminUrl, database, dir, redis, nodes, nginx, URI.create("http://127.0.0.1:" + nginxPort));
        } catch (RuntimeException e) {
            nodes.forEach(SpawnedServer::close);
            if (nginx != null) nginx.destroyForcibly();
            if (redis != null) redis.destroyForcibly();
            dropQuietly(postgresAdminUrl, database);
            ScratchDirectory.delete(dir);
            throw e;
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[6];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }

    /// The admin URL with its database replaced: `.../postgres?user=x` → `.../courier_bench_..?user=x`.
    static String withDatabase(String adminUrl, String database) {
        int query = adminUrl.indexOf('?');
        String head = query < 0 ? adminUrl : adminUrl.substring(0, query);
        String tail = query < 0 ? "" : adminUrl.substring(query);
        return head.substring(0, head.lastIndexOf('/') + 1) + database + tail;
    }

    private static void admin(String url, String sql) {
        try (Connection c = DriverManager.getConnection(url); var st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new TargetException("PostgreSQL at " + url.replaceAll("\\?.*", "") + " refused '" + sql + "': " + e.getMessage()
                    + " (is it running? --postgres-url names it)");
        }
    }

    private static void dropQuietly(String url, String database) {
        try {
            admin(url, "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        } catch (TargetException ignored) {
            // Nothing was created, or the server is gone; nothing more to clean.
        }
    }

    private static Process startProcess(Path dir, String name, List<String> command) {
        try {
            return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
        } catch (IOException e) {
            throw new TargetException("cannot start " + command.getFirst() + " (install it: apt-get install "
                    + (name.equals("nginx") ? "nginx-light" : "redis-server") + "): " + e.getMessage());
        }
    }

    private static void awaitPort(int port, Process process, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            try (var socket = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                if (!process.isAlive()) break;
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        throw new TargetException(what + " did not start listening on port " + port);
    }

    private static String nginxBinary() {
        for (String candidate : List.of("/usr/sbin/nginx", "/usr/local/sbin/nginx")) {
            if (Files.isExecutable(Path.of(candidate))) return candidate;
        }
        return "nginx";
    }

    /// The shipped example, with its upstream servers and listen port replaced, inside a minimal
    /// main configuration that keeps nginx's files in the scratch folder.
    private static void writeNginxConfig(Path dir, List<SpawnedServer> nodes, int port) {
        try {
            String upstreams = nodes.stream()
                    .map(n -> "    server 127.0.0.1:" + n.baseUrl().getPort() + " max_fails=2 fail_timeout=10s;")
                    .collect(Collectors.joining("\n"));
            String site = Files.readString(nginxExample())
                    .replaceAll("(?m)^    server 127\\.0\\.0\\.1:808[0-9][^\\n]*\\n", "")
                    .replace("upstream courier {\n", "upstream courier {\n" + upstreams + "\n")
                    .replace("listen 80;", "listen 127.0.0.1:" + port + " backlog=4096;");
            Files.writeString(dir.resolve("courier.conf"), site);
            boolean root = "root".equals(System.getProperty("user.name"));
            Files.writeString(dir.resolve("nginx.conf"), (root ? "user root;\n" : "") + """
                    worker_processes 1;
                    worker_rlimit_nofile 65536;
                    daemon off;
                    error_log %1$s/nginx-error.log warn;
                    pid %1$s/nginx.pid;
                    events { worker_connections 16384; }
                    http {
                        access_log off;
                        client_body_temp_path %1$s/body;
                        proxy_temp_path %1$s/proxy;
                        fastcgi_temp_path %1$s/fastcgi;
                        uwsgi_temp_path %1$s/uwsgi;
                        scgi_temp_path %1$s/scgi;
                        include %1$s/courier.conf;
                    }
                    """.formatted(dir));
        } catch (IOException e) {
            throw new TargetException("cannot write the nginx configuration (run from the repository root, where "
                    + NGINX_EXAMPLE + " is): " + e.getMessage());
        }
    }

    @Override
    public URI baseUrl() {
        return base;
    }

    @Override
    public String description() {
        return nodes.size() + "-node cluster behind nginx (PostgreSQL database " + database + ", Redis, nodes: "
                + nodes.stream().map(n -> Long.toString(n.pid())).collect(Collectors.joining(", ")) + ")";
    }

    /// The nodes' memory summed; nginx, Redis and PostgreSQL are not counted.
    @Override
    public MemorySample memory(boolean collectFirst) {
        long heap = 0, nonHeap = 0, direct = 0;
        Long rss = 0L;
        boolean collected = true;
        for (SpawnedServer node : nodes) {
            MemorySample s = node.memory(collectFirst);
            heap += s.heapUsedBytes();
            nonHeap += s.nonHeapUsedBytes();
            direct += s.directBufferBytes();
            rss = rss == null || s.rssBytes() == null ? null : rss + s.rssBytes();
            collected &= s.collected();
        }
        return new MemorySample(heap, nonHeap, direct, rss, collected);
    }

    /// The first node's limit: every node is started the same way, so they share it.
    @Override
    public Optional<FdLimit> fdLimit() {
        return nodes.getFirst().fdLimit();
    }

    /// Every node's `/metrics`, concatenated, so that sums run over the cluster.
    @Override
    public PrometheusText metrics() {
        return PrometheusText.combined(nodes.stream().map(SpawnedServer::metrics).toList());
    }

    @Override
    public void close() {
        nginx.destroy();
        nodes.forEach(SpawnedServer::close);
        redis.destroy();
        try {
            nginx.waitFor(10, TimeUnit.SECONDS);
            redis.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        dropQuietly(adminUrl, database);
        ScratchDirectory.delete(dir);
    }
}
