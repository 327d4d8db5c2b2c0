package dev.courier.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/// A Redis server of the machine's installation (`redis-server`), in a process of its own on a
/// port of its own, so that a test can stop and restart it without disturbing the shared Redis
/// on 6379 that other tests use. It keeps nothing on disk, like the machine's.
public final class RedisProcess implements AutoCloseable {
    private final int port;
    private final Path logFile;
    private Process process;

    public RedisProcess(Path logDir) {
        this.port = freePort();
        this.logFile = logDir.resolve("redis-" + port + ".log");
        start();
    }

    private static int freePort() {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /// Starts (again) on the same port and waits until it answers.
    public void start() {
        try {
            Files.createDirectories(logFile.getParent());
            process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", logFile.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start redis-server (is Redis installed?): " + e.getMessage(), e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (var socket = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                sleep(50);
            }
        }
        throw new IllegalStateException("redis-server did not listen on " + port + "; see " + logFile);
    }

    /// Kills it at once; every key is gone, as after a crash of a Redis that keeps nothing on disk.
    public void stop() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public URI url() {
        return URI.create("redis://127.0.0.1:" + port);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) stop();
    }
}
