package dev.courier.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/// nginx from the machine's Debian package, in front of server processes, with the example
/// configuration from `deploy/nginx/courier.conf` (only its ports rewritten), so that the
/// configuration operators copy is the one the test runs.
public final class NginxProcess implements AutoCloseable {
    private static final Path EXAMPLE = Path.of("..", "deploy", "nginx", "courier.conf");
    private final int port;
    private final Process process;
    private final Path dir;

    public NginxProcess(List<ServerProcess> nodes, Path dir) {
        this.dir = dir;
        this.port = freePort();
        try {
            String example = Files.readString(EXAMPLE);
            String upstreams = nodes.stream()
                    .map(n -> "    server 127.0.0.1:" + n.port() + " max_fails=2 fail_timeout=10s;")
                    .collect(Collectors.joining("\n"));
            String site = example
                    .replaceAll("(?m)^    server 127\\.0\\.0\\.1:808[0-9][^\\n]*\\n", "")
                    .replace("upstream courier {\n", "upstream courier {\n" + upstreams + "\n")
                    .replace("listen 80;", "listen 127.0.0.1:" + port + ";");
            Files.writeString(dir.resolve("courier.conf"), site);
            boolean root = "root".equals(System.getProperty("user.name"));
            Files.writeString(dir.resolve("nginx.conf"), (root ? "user root;\n" : "") + """
                    worker_processes 1;
                    daemon off;
                    error_log %1$s/nginx-error.log warn;
                    pid %1$s/nginx.pid;
                    events { worker_connections 1024; }
                    http {
                        access_log off;
                        client_body_temp_path %1$s/body;
                        proxy_temp_path %1$s/proxy;
                        fastcgi_temp_path %1$s/fastcgi;
                        uwsgi_temp_path %1$s/uwsgi;
                        scgi_temp_path %1$s/scgi;
                        include %1$s/courier.conf;
                    }
                    """.formatted(dir.toAbsolutePath()));
            this.process = new ProcessBuilder(nginx(), "-p", dir.toAbsolutePath().toString(), "-c",
                    dir.resolve("nginx.conf").toAbsolutePath().toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start nginx (apt-get install nginx-light): " + e.getMessage(), e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (var socket = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                if (!process.isAlive()) break;
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        String log;
        try {
            log = Files.readString(dir.resolve("nginx.out")) + Files.readString(dir.resolve("nginx-error.log"));
        } catch (IOException e) {
            log = "(no log)";
        }
        process.destroyForcibly();
        throw new IllegalStateException("nginx did not start: " + log);
    }

    private static String nginx() {
        for (String candidate : List.of("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx")) {
            if (Files.isExecutable(Path.of(candidate))) return candidate;
        }
        return "nginx";
    }

    private static int freePort() {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public String wsUrl() {
        return "ws://127.0.0.1:" + port + "/v1/websocket";
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
