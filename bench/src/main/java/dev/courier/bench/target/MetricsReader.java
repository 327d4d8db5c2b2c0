package dev.courier.bench.target;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;

/// Reads a Courier server's `/health` and `/metrics` with the JDK's HTTP client, apart from the
/// generator's Jetty clients so that weighing the server does not queue behind the load.
final class MetricsReader {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    MetricsReader(URI base) {
        this.base = base;
    }

    PrometheusText metrics() {
        return new PrometheusText(get("/metrics"));
    }

    MemorySample memory(Long rss, boolean collected) {
        PrometheusText m = metrics();
        return new MemorySample(
                (long) m.sum("jvm_memory_used_bytes", "area=\"heap\""),
                (long) m.sum("jvm_memory_used_bytes", "area=\"nonheap\""),
                (long) m.sum("jvm_buffer_memory_used_bytes", "id=\"direct\""),
                rss, collected);
    }

    boolean healthy() {
        try {
            return http.send(request("/health"), BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    String get(String path) {
        try {
            var response = http.send(request(path), BodyHandlers.ofString());
            if (response.statusCode() != 200) throw new IllegalStateException("GET " + path + " answered " + response.statusCode());
            return response.body();
        } catch (IOException e) {
            throw new IllegalStateException("GET " + base.resolve(path) + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private HttpRequest request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).build();
    }
}
