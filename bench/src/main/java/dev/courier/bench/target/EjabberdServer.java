package dev.courier.bench.target;

import dev.courier.bench.report.Progress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/// An ejabberd node of the benchmark's own, from Debian's package: a generated configuration,
/// Mnesia spool and logs in a temporary folder (deleted on close), a c2s listener on a free
/// loopback port, and a node name of its own, so it neither touches nor meets a system instance
/// and every run starts empty.
///
/// `ejabberdctl` started by root runs the node as the package's `ejabberd` user, so the folder
/// is opened to it. The node is stopped with `ejabberdctl stop`, and only if that fails is its
/// `beam.smp` (found by its node name) killed by process id.
public final class EjabberdServer implements AutoCloseable {
    /// The XMPP domain the node serves.
    public static final String HOST = "bench.localhost";
    private static final int START_SECONDS = 60;

    private final Path dir;
    private final int port;
    private final String node;
    private final long beamPid;

    private EjabberdServer(Path dir, int port, String node, long beamPid) {
        this.dir = dir;
        this.port = port;
        this.node = node;
        this.beamPid = beamPid;
    }

    /// Installs ejabberd if needed, then starts a node; `maxConnections` sizes its port table.
    public static EjabberdServer start(Progress progress, int maxConnections) {
        EjabberdInstall.ensure(progress);
        Path dir = ScratchDirectory.create("courier-bench-ejabberd");
        int port = SpawnedServer.freePort();
        String node = "courierbench" + port + "@localhost";
        try {
            for (Path d : List.of(dir, dir.resolve("spool"), dir.resolve("logs"))) {
                Files.createDirectories(d);
                Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxrwxrwx"));
            }
            Files.writeString(dir.resolve("ejabberd.yml"), EjabberdConfig.yaml(HOST, port));
            Path erl = dir.resolve("erl");
            Files.writeString(erl, EjabberdConfig.erlWrapper());
            Files.setPosixFilePermissions(erl, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.writeString(dir.resolve("ejabberdctl.cfg"), EjabberdConfig.ctl(node, maxConnections, erl.toString()));
            Files.writeString(dir.resolve("inetrc"), "{lookup,[\"file\",\"native\"]}.\n{host,{127,0,0,1}, [\"localhost\"]}.\n");
        } catch (IOException e) {
            ScratchDirectory.delete(dir);
            throw new TargetException("cannot write ejabberd's configuration: " + e.getMessage());
        }
        progress.say("starting ejabberd node " + node + " on 127.0.0.1:" + port);
        var server = new EjabberdServer(dir, port, node, -1);
        int code = server.ctl(30, "start");
        long deadline = System.nanoTime() + START_SECONDS * 1_000_000_000L;
        while (code == 0 && System.nanoTime() < deadline) {
            if (server.ctl(10, "status") == 0) {
                long pid = beamPid(node);
                if (pid > 0) return new EjabberdServer(dir, port, node, pid);
            }
            LockSupport.parkNanos(250_000_000L);
        }
        String log = ScratchDirectory.tail(dir.resolve("logs").resolve("ejabberd.log"), 2);
        server.close();
        throw new TargetException("ejabberd did not start within " + START_SECONDS + " s: " + log);
    }

    public InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    public String description() {
        return "ejabberd " + version() + " (Debian package), node " + node + ", beam.smp pid " + beamPid + ", c2s on 127.0.0.1:" + port;
    }

    /// The node's resident set: the `beam.smp` process, which holds all of ejabberd.
    public Long rssBytes() {
        return ProcessRss.of(beamPid);
    }

    public Optional<FdLimit> fdLimit() {
        return FdLimit.of(Long.toString(beamPid));
    }

    private static String version() {
        try {
            Process p = new ProcessBuilder("dpkg-query", "-W", "-f=${Version}", "ejabberd").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? v : "(version unknown)";
        } catch (IOException e) {
            return "(version unknown)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(version unknown)";
        }
    }

    /// Runs `ejabberdctl` against this node's files; its output goes to `ctl.log` in the folder.
    private int ctl(int seconds, String... command) {
        List<String> args = new ArrayList<>(List.of(EjabberdInstall.CTL.toString(),
                "--config-dir", dir.toString(), "--config", dir.resolve("ejabberd.yml").toString(),
                "--ctl-config", dir.resolve("ejabberdctl.cfg").toString(),
                "--logs", dir.resolve("logs").toString(), "--spool", dir.resolve("spool").toString()));
        args.addAll(List.of(command));
        try {
            Process p = new ProcessBuilder(args).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("ctl.log").toFile())).start();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            throw new TargetException("cannot run ejabberdctl: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /// The `beam.smp` running node `node`, from `/proc/<pid>/cmdline`, or -1.
    private static long beamPid(String node) {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .filter(p -> isBeamOf(p, node)).mapToLong(p -> Long.parseLong(p.getFileName().toString())).findFirst().orElse(-1);
        } catch (IOException e) {
            return -1;
        }
    }

    private static boolean isBeamOf(Path proc, String node) {
        try {
            List<String> argv = List.of(new String(Files.readAllBytes(proc.resolve("cmdline"))).split("\0"));
            return !argv.isEmpty() && argv.getFirst().endsWith("beam.smp") && argv.contains(node);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        ctl(60, "stop");
        ctl(60, "stopped");
        long pid = beamPid > 0 ? beamPid : beamPid(node);
        if (pid > 0) ProcessHandle.of(pid).filter(ProcessHandle::isAlive).ifPresent(EjabberdServer::awaitOrKill);
        ScratchDirectory.delete(dir);
    }

    private static void awaitOrKill(ProcessHandle beam) {
        try {
            beam.onExit().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            beam.destroyForcibly();
        }
    }
}
