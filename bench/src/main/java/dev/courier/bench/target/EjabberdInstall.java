package dev.courier.bench.target;

import dev.courier.bench.report.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/// Makes sure Debian's `ejabberd` package is installed, installing it with `apt-get` when it is
/// not, so the comparison runs from one command on a fresh machine.
///
/// The package's maintainer scripts may start a system instance (`ejabberd@localhost` on 5222
/// and 5280) when an init system runs; right after installing, that instance is stopped. The
/// benchmark never uses it: it starts its own node on its own ports (see [EjabberdServer]).
public final class EjabberdInstall {
    static final Path CTL = Path.of("/usr/sbin/ejabberdctl");
    private static final int INSTALL_MINUTES = 10;

    private EjabberdInstall() {}

    public static boolean installed() {
        return Files.isExecutable(CTL);
    }

    /// Installs the package if it is missing; a [TargetException] (one line) if it cannot.
    public static void ensure(Progress progress) {
        if (installed()) return;
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new TargetException("ejabberd is not installed, and installing it needs root: run apt-get install -y ejabberd");
        }
        progress.say("ejabberd is not installed: apt-get install -y ejabberd (Debian's package)");
        if (run(List.of("apt-get", "install", "-y", "-q", "ejabberd")) != 0) {
            progress.say("apt-get install failed; apt-get update and one more try");
            run(List.of("apt-get", "update", "-q"));
            int code = run(List.of("apt-get", "install", "-y", "-q", "ejabberd"));
            if (code != 0 || !installed()) throw new TargetException("could not install ejabberd with apt-get (exit " + code + ")");
        }
        // The system instance the package may have started is not ours to measure: stop it.
        run(List.of("service", "ejabberd", "stop"));
    }

    private static int run(List<String> command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
            Process p = builder.start();
            if (!p.waitFor(INSTALL_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
