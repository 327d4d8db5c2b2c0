package dev.courier.bench.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.courier.protocol.RegisterAccountRequest;
import dev.courier.protocol.RegisterAccountResponse;
import dev.courier.protocol.WireJson;
import java.net.URI;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;

/// The server's HTTP API as the generator uses it, asynchronously: a call returns a future at
/// once and a selector thread completes it, so thousands of requests can be in flight without a
/// thread each.
public final class HttpApi {
    private static final ObjectMapper JSON = WireJson.newMapper();
    private static final int MAX_BODY = 4 << 20;

    private final HttpClient http;
    private final URI base;

    public HttpApi(HttpClient http, URI base) {
        this.http = http;
        this.base = base;
    }

    public URI base() {
        return base;
    }

    /// Registers an account and its first device with placeholder keys.
    public CompletableFuture<BenchDevice> register(String username) {
        int registrationId = 1 + (int) (Math.random() * 16382);
        String body;
        try {
            body = JSON.writeValueAsString(new RegisterAccountRequest(username, registrationId, "bench", null, PlaceholderKeys.device()));
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
        return send(post("/v1/accounts", null, body)).thenApply(r -> {
            if (r.getStatus() != 200) throw new ApiException("POST /v1/accounts", r);
            try {
                var answer = JSON.readValue(r.getContentAsString(), RegisterAccountResponse.class);
                return new BenchDevice(answer.accountId(), answer.username(), answer.deviceId(), registrationId, answer.credential());
            } catch (Exception e) {
                throw new IllegalStateException("unreadable registration answer: " + e.getMessage(), e);
            }
        });
    }

    /// `POST /v1/messages` with a body made by [#sendBody]; completes with the HTTP status.
    public CompletableFuture<Integer> sendMessage(BenchDevice from, String body) {
        return send(post("/v1/messages", from, body)).thenApply(ContentResponse::getStatus);
    }

    /// A one-device send of `content` (base64) to `to`, written by hand: the generator makes
    /// thousands a second and a template is cheaper than a mapper.
    public static String sendBody(BenchDevice to, UUID messageId, String content) {
        return "{\"recipient\":\"" + to.accountId() + "\",\"messageId\":\"" + messageId + "\",\"timestamp\":"
                + System.currentTimeMillis() + ",\"messages\":[{\"deviceId\":" + to.deviceId() + ",\"registrationId\":"
                + to.registrationId() + ",\"type\":2,\"content\":\"" + content + "\"}]}";
    }

    /// `GET path` (for `/metrics`, `/health`, `/v1/messages`), waiting for the answer.
    public ContentResponse get(String path, BenchDevice as) {
        Request request = http.newRequest(base.resolve(path)).method(HttpMethod.GET).timeout(30, TimeUnit.SECONDS);
        if (as != null) request.headers(h -> h.put(HttpHeader.AUTHORIZATION, as.authorization()));
        return send(request).join();
    }

    private Request post(String path, BenchDevice as, String body) {
        Request request = http.newRequest(base.resolve(path)).method(HttpMethod.POST).timeout(60, TimeUnit.SECONDS)
                .body(new StringRequestContent("application/json", body));
        if (as != null) request.headers(h -> h.put(HttpHeader.AUTHORIZATION, as.authorization()));
        return request;
    }

    private static CompletableFuture<ContentResponse> send(Request request) {
        return new CompletableResponseListener(request, MAX_BODY).send();
    }

    /// An answer the generator did not expect, with the server's error code.
    public static final class ApiException extends RuntimeException {
        private final int status;

        ApiException(String what, ContentResponse r) {
            super(what + " answered " + r.getStatus() + ": " + abbreviate(r.getContentAsString()));
            this.status = r.getStatus();
        }

        public int status() {
            return status;
        }

        private static String abbreviate(String s) {
            return s.length() > 200 ? s.substring(0, 200) + "…" : s;
        }
    }
}
