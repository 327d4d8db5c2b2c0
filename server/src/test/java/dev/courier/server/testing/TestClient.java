package dev.courier.server.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.courier.protocol.AddDeviceRequest;
import dev.courier.protocol.AddDeviceResponse;
import dev.courier.protocol.EnvelopeType;
import dev.courier.protocol.OutgoingMessage;
import dev.courier.protocol.RegisterAccountRequest;
import dev.courier.protocol.RegisterAccountResponse;
import dev.courier.protocol.SendMessageRequest;
import dev.courier.protocol.WireJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/// A small HTTP client for Courier's API, as a third-party client would use it: JSON over HTTP
/// with Basic credentials.
public final class TestClient {
    public static final ObjectMapper JSON = WireJson.newMapper();
    private final String baseUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public TestClient(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    public record Response(int status, JsonNode body, HttpHeaders headers) {
        public <T> T as(Class<T> type) {
            try {
                return JSON.treeToValue(body, type);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot read " + body + " as " + type.getSimpleName(), e);
            }
        }

        public String code() {
            return body == null || body.get("code") == null ? null : body.get("code").asText();
        }
    }

    /// A registered device and what it needs to authenticate.
    public record Device(UUID accountId, int deviceId, String credential, String username, int registrationId) {
        public String authHeader() {
            return basic(accountId + "." + deviceId, credential);
        }
    }

    public static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /// `body` may be null, a raw `String` sent as is, or an object sent as JSON.
    public Response request(String method, String path, Object body, String authorization) {
        try {
            HttpRequest.BodyPublisher publisher;
            if (body == null) publisher = HttpRequest.BodyPublishers.noBody();
            else if (body instanceof String s) publisher = HttpRequest.BodyPublishers.ofString(s);
            else if (body instanceof byte[] b) publisher = HttpRequest.BodyPublishers.ofByteArray(b);
            else publisher = HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body));
            var builder = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30))
                    .method(method, publisher).header("Content-Type", "application/json");
            if (authorization != null) builder.header("Authorization", authorization);
            HttpResponse<byte[]> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode json = response.body().length == 0 ? null : JSON.readTree(response.body());
            return new Response(response.statusCode(), json, response.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Response get(String path, Device as) {
        return request("GET", path, null, as == null ? null : as.authHeader());
    }

    public Response post(String path, Object body, Device as) {
        return request("POST", path, body, as == null ? null : as.authHeader());
    }

    public Response register(RegisterAccountRequest request) {
        return request("POST", "/v1/accounts", request, null);
    }

    public Device register(String username) {
        return register(username, null);
    }

    public Device register(String username, String registrationToken) {
        int registrationId = ThreadLocalRandom.current().nextInt(1, 0x3FFF);
        Response r = register(new RegisterAccountRequest(username, registrationId, "test", registrationToken, TestKeys.device(5)));
        if (r.status() != 200) throw new IllegalStateException("registration failed: " + r.status() + " " + r.body());
        var body = r.as(RegisterAccountResponse.class);
        return new Device(body.accountId(), body.deviceId(), body.credential(), body.username(), registrationId);
    }

    public Device addDevice(Device caller) {
        int registrationId = ThreadLocalRandom.current().nextInt(1, 0x3FFF);
        Response r = post("/v1/devices", new AddDeviceRequest(registrationId, "second", TestKeys.device(5)), caller);
        if (r.status() != 200) throw new IllegalStateException("adding a device failed: " + r.status() + " " + r.body());
        var body = r.as(AddDeviceResponse.class);
        return new Device(body.accountId(), body.deviceId(), body.credential(), caller.username(), registrationId);
    }

    public Response send(Device from, String recipient, UUID messageId, List<OutgoingMessage> messages) {
        return post("/v1/messages", new SendMessageRequest(recipient, messageId, System.currentTimeMillis(), messages), from);
    }

    /// Sends `content` to every listed device (all of one recipient account), one ciphertext each.
    public Response send(Device from, UUID messageId, byte[] content, Device... to) {
        List<OutgoingMessage> messages = new ArrayList<>();
        for (Device d : to) messages.add(new OutgoingMessage(d.deviceId(), d.registrationId(), EnvelopeType.CIPHERTEXT, content));
        return send(from, to[0].accountId().toString(), messageId, messages);
    }

    public Response send(Device from, byte[] content, Device... to) {
        return send(from, UUID.randomUUID(), content, to);
    }
}
