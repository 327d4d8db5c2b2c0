package dev.courier.bench.target;

import java.net.URI;
import java.util.Optional;

/// The Courier server a scenario loads: one the harness started, or one already running.
public interface ServerUnderTest extends AutoCloseable {
    URI baseUrl();

    String description();

    /// Weighs the server, after a full GC first if `collectFirst` and the harness can trigger one.
    MemorySample memory(boolean collectFirst);

    /// The server process's open-file limit, when the harness can read it.
    Optional<FdLimit> fdLimit();

    PrometheusText metrics();

    @Override
    void close();
}
