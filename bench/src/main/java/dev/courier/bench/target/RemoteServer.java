package dev.courier.bench.target;

import java.net.URI;
import java.util.Optional;

/// A server that is already running (`--target URL`). The harness cannot see its process, so
/// memory comes from its `/metrics` alone and no GC is triggered first.
public final class RemoteServer implements ServerUnderTest {
    private final URI base;
    private final MetricsReader reader;

    public RemoteServer(URI base) {
        this.base = base;
        this.reader = new MetricsReader(base);
        if (!reader.healthy()) throw new TargetException("no healthy Courier server at " + base + " (GET /health)");
    }

    @Override
    public URI baseUrl() {
        return base;
    }

    @Override
    public String description() {
        return "remote " + base;
    }

    @Override
    public MemorySample memory(boolean collectFirst) {
        return reader.memory(null, false);
    }

    @Override
    public Optional<FdLimit> fdLimit() {
        return Optional.empty();
    }

    @Override
    public PrometheusText metrics() {
        return reader.metrics();
    }

    @Override
    public void close() {}
}
