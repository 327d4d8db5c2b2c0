package dev.courier.cli.chat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/// Opens the terminal `courier chat` draws on: the real one for users, a scripted one in tests.
@FunctionalInterface
public interface Terminals {
    Terminal open() throws IOException;

    /// The user's terminal. JLine reports through java.util.logging (for example "creating a dumb
    /// terminal" when stdin is not a TTY); the CLI keeps its stderr for its own one-line messages.
    static Terminals system() {
        return () -> {
            JLineLogging.quiet();
            return TerminalBuilder.builder().system(true).encoding(StandardCharsets.UTF_8).build();
        };
    }

    /// Holds the JLine logger strongly: java.util.logging keeps loggers weakly, and a collected
    /// logger would forget its level.
    final class JLineLogging {
        private static final Logger JLINE = Logger.getLogger("org.jline");

        private JLineLogging() {}

        static void quiet() {
            JLINE.setLevel(Level.OFF);
        }
    }
}
