package dev.courier.client.internal.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.courier.client.CourierException;
import dev.courier.protocol.DeviceKeys;
import dev.courier.protocol.DirectoryEntry;
import dev.courier.protocol.KeyCountResponse;
import dev.courier.protocol.MismatchedDevicesResponse;
import dev.courier.protocol.PreKeyBundleResponse;
import dev.courier.protocol.PushSubscription;
import dev.courier.protocol.RegisterAccountRequest;
import dev.courier.protocol.RegisterAccountResponse;
import dev.courier.protocol.SendMessageRequest;
import dev.courier.protocol.SendMessageResponse;
import dev.courier.protocol.StaleDevicesResponse;
import dev.courier.protocol.UploadKeysRequest;
import dev.courier.protocol.VapidKeyResponse;
import dev.courier.protocol.WireJson;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/// Courier's HTTP API as the client uses it (`docs/API.md`). Transport failures and `5xx` become
/// [CourierException.ServerUnreachable]; other refusals carry the server's error code.
public final class ServerApi {
    private static final ObjectMapper JSON = WireJson.newMapper();
    private final URI server;
    private final HttpClient http;
    private final Supplier<String> authorization;

    /// `authorization` is asked for the `Authorization` header of each call; null for none.
    public ServerApi(URI server, HttpClient http, Supplier<String> authorization) {
        this.server = server;
        this.http = http;
        this.authorization = authorization;
    }

    public static String basic(UUID account, int device, String credential) {
        return "Basic " + Base64.getEncoder().encodeToString((account + "." + device + ":" + credential).getBytes(StandardCharsets.UTF_8));
    }

    public URI server() {
        return server;
    }

    public RegisterAccountResponse register(String username, int registrationId, String deviceName, String token, DeviceKeys keys) {
        var r = call("POST", "/v1/accounts", new RegisterAccountRequest(username, registrationId, deviceName, token, keys), false);
        return read(expectOk(r), RegisterAccountResponse.class);
    }

    /// Bundles of every device of `recipient` (a username or account ID).
    public PreKeyBundleResponse bundles(String recipient) {
        var r = call("GET", "/v1/keys/" + URLEncoder.encode(recipient, StandardCharsets.UTF_8), null, true);
        if (r.status() == 404) throw new CourierException.UnknownUser(recipient);
        return read(expectOk(r), PreKeyBundleResponse.class);
    }

    /// Who `recipient` (a username or account ID) is, without spending their keys.
    public DirectoryEntry directory(String recipient) {
        var r = call("GET", "/v1/directory/" + URLEncoder.encode(recipient, StandardCharsets.UTF_8), null, true);
        if (r.status() == 404) throw new CourierException.UnknownUser(recipient);
        return read(expectOk(r), DirectoryEntry.class);
    }

    public PreKeyBundleResponse bundle(UUID account, int deviceId) {
        var r = call("GET", "/v1/keys/" + account + "/" + deviceId, null, true);
        return read(expectOk(r), PreKeyBundleResponse.class);
    }

    public KeyCountResponse keyCount() {
        return read(expectOk(call("GET", "/v1/keys/count", null, true)), KeyCountResponse.class);
    }

    public void uploadKeys(UploadKeysRequest request) {
        expectOk(call("PUT", "/v1/keys", request, true));
    }

    /// Registers or replaces this device's push subscription.
    public void putPushSubscription(PushSubscription subscription) {
        expectOk(call("PUT", "/v1/push/subscription", subscription, true));
    }

    /// This device's push subscription as the server holds it; empty if it has none (never
    /// registered, removed, or pruned after the push service said it was gone).
    public Optional<PushSubscription> pushSubscription() {
        var r = call("GET", "/v1/push/subscription", null, true);
        if (r.status() == 404) return Optional.empty();
        return Optional.of(read(expectOk(r), PushSubscription.class));
    }

    public void deletePushSubscription() {
        expectOk(call("DELETE", "/v1/push/subscription", null, true));
    }

    /// The server's VAPID public key (base64url), which a push distributor asks for.
    public String vapidPublicKey() {
        return read(expectOk(call("GET", "/v1/push/vapid-key", null, false)), VapidKeyResponse.class).publicKey();
    }

    /// The outcome of a send: accepted, or the device-set corrections the server asked for.
    public sealed interface SendResult {
        record Accepted(SendMessageResponse response) implements SendResult {}

        record Mismatched(List<Integer> missing, List<Integer> extra) implements SendResult {}

        record Stale(List<Integer> stale) implements SendResult {}
    }

    public SendResult send(SendMessageRequest request) {
        var r = call("POST", "/v1/messages", request, true);
        return switch (r.status()) {
            case 200 -> new SendResult.Accepted(read(r, SendMessageResponse.class));
            case 409 -> {
                var m = read(r, MismatchedDevicesResponse.class);
                yield new SendResult.Mismatched(m.missingDevices(), m.extraDevices());
            }
            case 410 -> new SendResult.Stale(read(r, StaleDevicesResponse.class).staleDevices());
            case 404 -> throw new CourierException.UnknownUser(request.recipient());
            default -> throw refusal(r);
        };
    }

    record Response(int status, byte[] body, java.net.http.HttpHeaders headers) {}

    private Response call(String method, String path, Object body, boolean authenticated) {
        try {
            var builder = HttpRequest.newBuilder(server.resolve(path)).timeout(Duration.ofSeconds(20))
                    .header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            if (authenticated) builder.header("Authorization", authorization.get());
            HttpResponse<byte[]> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() >= 500) {
                throw new CourierException.ServerUnreachable("the server at " + server + " failed (HTTP " + response.statusCode() + ")", null);
            }
            return new Response(response.statusCode(), response.body(), response.headers());
        } catch (IOException e) {
            throw new CourierException.ServerUnreachable("cannot reach the server at " + server + " (" + describe(e) + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CourierException.ServerUnreachable("interrupted while talking to " + server, e);
        }
    }

    private static String describe(IOException e) {
        if (e instanceof java.net.ConnectException) return "connection refused";
        if (e instanceof java.net.http.HttpConnectTimeoutException) return "connection timed out";
        if (e instanceof java.net.http.HttpTimeoutException) return "no answer in time";
        if (e instanceof java.net.UnknownHostException || e.getCause() instanceof java.nio.channels.UnresolvedAddressException) return "unknown host";
        String m = e.getMessage();
        return m == null || m.isBlank() ? "connection failed" : m;
    }

    private Response expectOk(Response r) {
        if (r.status() / 100 != 2) throw refusal(r);
        return r;
    }

    private CourierException refusal(Response r) {
        String code = "http_" + r.status();
        String message = "the server refused the request (HTTP " + r.status() + ")";
        try {
            JsonNode json = JSON.readTree(r.body());
            if (json != null && json.hasNonNull("code")) code = json.get("code").asText();
            if (json != null && json.hasNonNull("message")) message = json.get("message").asText();
        } catch (IOException ignored) {
            // Not JSON: keep the generic wording.
        }
        if (r.status() == 429) {
            String after = r.headers().firstValue("Retry-After").orElse("?");
            return new RateLimited(code, message, after);
        }
        return new CourierException.Refused(r.status(), code, message);
    }

    /// `429`: retry after the given number of seconds.
    public static final class RateLimited extends CourierException {
        private final long retryAfterSeconds;

        RateLimited(String code, String message, String retryAfter) {
            super(message + " (" + code + ")");
            long s;
            try {
                s = Long.parseLong(retryAfter);
            } catch (NumberFormatException e) {
                s = 5;
            }
            this.retryAfterSeconds = s;
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    private static <T> T read(Response r, Class<T> type) {
        try {
            return JSON.readValue(r.body(), type);
        } catch (IOException e) {
            throw new CourierException("the server sent an answer this client cannot read", e);
        }
    }
}
