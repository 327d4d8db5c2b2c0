package dev.courier.bench.target;

import java.net.URI;
import java.util.Optional;
import java.util.OptionalLong;

/// The Courier server a scenario loads: one the harness started, or one already running.
public interface ServerUnderTest extends AutoCloseable {
    URI baseUrl();

    String description();

    /// Weighs the server, after a full GC first if `collectFirst` and the harness can trigger one.
    MemorySample memory(boolean collectFirst);

    /// The server process's open-file limit, when the harness can read it.
    Optional<FdLimit> fdLimit();

    PrometheusText metrics();

    /// The server's process on this machine, whose CPU the harness can then read; empty for a
    /// server elsewhere or one of several processes.
    default OptionalLong processId() {
        return OptionalLong.empty();
    }

    @Override
    void close();
}
