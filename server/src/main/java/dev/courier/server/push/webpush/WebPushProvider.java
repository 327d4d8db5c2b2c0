package dev.courier.server.push.webpush;

import dev.courier.protocol.WakeUp;
import dev.courier.protocol.webpush.WebPushCrypto;
import dev.courier.server.config.ServerConfig;
import dev.courier.server.push.PushOutcome;
import dev.courier.server.push.PushProvider;
import dev.courier.server.push.Subscription;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.Executors;

/// Wake-ups over Web Push (RFC 8030), which UnifiedPush endpoints speak too: the fixed
/// [WakeUp] payload encrypted for the device (RFC 8291 `aes128gcm`), signed for with VAPID
/// (RFC 8292), with `TTL`, `Urgency` and a `Topic`.
///
/// The `Topic` makes the push service keep only the newest undelivered wake-up per device, so a
/// phone that was offline for a day finds one wake-up waiting, not dozens.
public final class WebPushProvider implements PushProvider, AutoCloseable {
    static final String TOPIC = "courier-wake";
    private final HttpClient http;
    private final VapidSigner vapid;
    private final ServerConfig.Push config;

    public WebPushProvider(VapidSigner vapid, ServerConfig.Push config) {
        this.vapid = vapid;
        this.config = config;
        this.http = HttpClient.newBuilder()
                .connectTimeout(config.timeout())
                // A push service never redirects; following one would let an endpoint bounce the
                // server's request to a host the endpoint policy refused.
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
    }

    @Override
    public String kind() {
        return Subscription.WEB_PUSH;
    }

    @Override
    public PushOutcome deliver(Subscription subscription) {
        URI endpoint = URI.create(subscription.endpoint());
        String host = endpoint.getHost();
        HttpRequest request;
        try {
            byte[] body = WebPushCrypto.encrypt(WakeUp.payload(), subscription.p256dh(), subscription.auth());
            request = HttpRequest.newBuilder(endpoint)
                    .timeout(config.timeout())
                    .header("TTL", Long.toString(config.ttl().toSeconds()))
                    .header("Urgency", config.urgency().header())
                    .header("Topic", TOPIC)
                    .header("Content-Encoding", "aes128gcm")
                    .header("Content-Type", "application/octet-stream")
                    .header("Authorization", vapid.authorization(endpoint))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
        } catch (IllegalArgumentException e) {
            return new PushOutcome.Failed("cannot build a push for " + host + ": " + e.getMessage());
        }
        HttpResponse<Void> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.discarding());
        } catch (HttpTimeoutException e) {
            return new PushOutcome.Retry("no answer from " + host + " within " + config.timeout().toSeconds() + " s", null);
        } catch (IOException e) {
            return new PushOutcome.Retry("cannot reach " + host + ": " + e.getClass().getSimpleName(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new PushOutcome.Retry("interrupted", null);
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) return new PushOutcome.Accepted();
        if (status == 404 || status == 410) return new PushOutcome.Gone(status);
        if (status == 429 || status >= 500) {
            return new PushOutcome.Retry("HTTP " + status + " from " + host, retryAfter(response));
        }
        return new PushOutcome.Failed("HTTP " + status + " from " + host);
    }

    /// `Retry-After` in seconds; the HTTP-date form is rare from push services and treated as absent.
    private static Duration retryAfter(HttpResponse<?> response) {
        String value = response.headers().firstValue("Retry-After").orElse(null);
        if (value == null) return null;
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public void close() {
        http.close();
    }
}
