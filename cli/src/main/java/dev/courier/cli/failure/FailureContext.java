package dev.courier.cli.failure;

import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/// What the error handler needs to know about the command that failed, to word its message.
public interface FailureContext {
    /// Errors go to stderr as JSON objects too when the user asked for `--json`.
    boolean json();

    Path deviceDir();

    /// The server the command was talking to, if it got that far.
    Optional<URI> server();

    /// `COURIER_DEBUG=1` adds the stack trace after the one-line message.
    boolean debug();
}
