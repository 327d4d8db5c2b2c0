package dev.courier.client.internal.net;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.courier.client.CourierException;
import dev.courier.protocol.DeviceKeys;
import dev.courier.protocol.DirectoryEntry;
import dev.courier.protocol.KeyCountResponse;
import dev.courier.protocol.PreKeyBundleResponse;
import dev.courier.protocol.PushSubscription;
import dev.courier.protocol.RegisterAccountRequest;
import dev.courier.protocol.RegisterAccountResponse;
import dev.courier.protocol.SendMessageRequest;
import dev.courier.protocol.SendFailure;
import dev.courier.protocol.SendMessageResponse;
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
    /// How long a call waits for its answer; a send over the socket waits as long (see [SendTransport]).
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);
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
        boolean accepted = r.status() == 200;
        return sendResult(request.recipient(), r.status(), accepted ? read(r, SendMessageResponse.class) : null,
                accepted ? null : failure(r));
    }

    /// What the server's answer to a send to `recipient` means, whichever way the send travelled:
    /// `POST /v1/messages`, or a `send` frame on the delivery socket, whose `send_result` carries
    /// the status and body the `POST` would have had (docs/API.md §8). One mapping for both, so
    /// that the path never changes what a caller sees. `200` carries `accepted`; any other status
    /// carries `failure` (null if the server sent no body). `409` and `410` ask for device-set
    /// corrections; the rest are thrown.
    ///
    /// @throws CourierException.UnknownUser on `404`
    /// @throws RateLimited on `429`
    /// @throws CourierException.ServerUnreachable on `5xx`
    /// @throws CourierException.Refused on any other status
    public SendResult sendResult(String recipient, int status, SendMessageResponse accepted, SendFailure failure) {
        if (status >= 500) throw serverFailed(server, status);
        SendFailure f = failure != null ? failure : new SendFailure(null, null, null, null, null, null);
        return switch (status) {
            case 200 -> {
                if (accepted == null) throw unreadable(null);
                yield new SendResult.Accepted(accepted);
            }
            case 409 -> new SendResult.Mismatched(orEmpty(f.missingDevices()), orEmpty(f.extraDevices()));
            case 410 -> new SendResult.Stale(orEmpty(f.staleDevices()));
            case 404 -> throw new CourierException.UnknownUser(recipient);
            default -> throw refusal(status, f);
        };
    }

    private static List<Integer> orEmpty(List<Integer> devices) {
        return devices == null ? List.of() : devices;
    }

    record Response(int status, byte[] body, java.net.http.HttpHeaders headers) {}

    private Response call(String method, String path, Object body, boolean authenticated) {
        try {
            var builder = HttpRequest.newBuilder(server.resolve(path)).timeout(REQUEST_TIMEOUT)
                    .header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            if (authenticated) builder.header("Authorization", authorization.get());
            HttpResponse<byte[]> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() >= 500) throw serverFailed(server, response.statusCode());
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

    private static CourierException serverFailed(URI server, int status) {
        return new CourierException.ServerUnreachable("the server at " + server + " failed (HTTP " + status + ")", null);
    }

    private static CourierException refusal(Response r) {
        return refusal(r.status(), failure(r));
    }

    /// The error body of `r` in the shape a socket's `send_result` carries it ([SendFailure]), with
    /// the `Retry-After` header's seconds; empty fields if the body is not JSON.
    private static SendFailure failure(Response r) {
        Long retryAfter = r.headers().firstValue("Retry-After").map(ServerApi::seconds).orElse(null);
        try {
            SendFailure body = JSON.readValue(r.body(), SendFailure.class);
            if (body != null) {
                return new SendFailure(body.code(), body.message(), body.missingDevices(), body.extraDevices(),
                        body.staleDevices(), retryAfter);
            }
        } catch (IOException ignored) {
            // Not JSON: keep the generic wording.
        }
        return new SendFailure(null, null, null, null, null, retryAfter);
    }

    private static Long seconds(String retryAfter) {
        try {
            return Long.parseLong(retryAfter.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static CourierException refusal(int status, SendFailure failure) {
        String code = failure.code() != null ? failure.code() : "http_" + status;
        String message = failure.message() != null ? failure.message() : "the server refused the request (HTTP " + status + ")";
        if (status == 429) return new RateLimited(code, message, failure.retryAfterSeconds());
        return new CourierException.Refused(status, code, message);
    }

    /// `429`: retry after the given number of seconds.
    public static final class RateLimited extends CourierException {
        static final long DEFAULT_RETRY_AFTER_SECONDS = 5;
        private final long retryAfterSeconds;

        /// `retryAfterSeconds` null (the server named no time, or an unreadable one): [#DEFAULT_RETRY_AFTER_SECONDS].
        RateLimited(String code, String message, Long retryAfterSeconds) {
            super(message + " (" + code + ")");
            this.retryAfterSeconds = retryAfterSeconds == null ? DEFAULT_RETRY_AFTER_SECONDS : retryAfterSeconds;
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    private static <T> T read(Response r, Class<T> type) {
        try {
            return JSON.readValue(r.body(), type);
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    private static CourierException unreadable(IOException cause) {
        return new CourierException("the server sent an answer this client cannot read", cause);
    }
}
