package dev.courier.cli;

import dev.courier.cli.chat.Terminals;
import java.nio.file.Path;
import java.util.Map;

/// What `courier` takes from the world outside its arguments: environment variables, the home
/// directory and how to open a terminal. Tests pass their own, so no test depends on the
/// machine's `$HOME` or needs a real TTY.
public record CliEnvironment(Map<String, String> variables, Path home, Terminals terminals) {
    public static CliEnvironment system() {
        return new CliEnvironment(System.getenv(), Path.of(System.getProperty("user.home")), Terminals.system());
    }

    /// `$COURIER_HOME` if set, else `~/.courier`.
    public Path defaultDeviceDir() {
        String configured = variables.get("COURIER_HOME");
        return configured == null || configured.isBlank() ? home.resolve(".courier") : Path.of(configured);
    }

    public boolean debug() {
        String v = variables.get("COURIER_DEBUG");
        return v != null && !v.isBlank() && !v.equals("0");
    }
}
