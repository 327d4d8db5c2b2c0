package dev.courier.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.courier.server.testing.RawUpgrade;
import dev.courier.server.testing.TestClient;
import dev.courier.server.testing.TestServer;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/// Whatever goes wrong, the answer is JSON `{code, message}` with a 4xx status.
class ErrorFormatTest {
    private static TestServer server;
    private static TestClient client;

    @BeforeAll
    static void start() {
        server = new TestServer(Map.of("admin.token", "t".repeat(40)));
        client = new TestClient(server.baseUrl());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
            "GET,    /v2/nothing,           404, not_found",
            "GET,    /v1/accounts,          405, method_not_allowed",
            "PATCH,  /v1/messages,          405, method_not_allowed",
            "DELETE, /v1/keys/count,        405, method_not_allowed",
    })
    void unknownPathsAndMethodsGetJsonErrors(String method, String path, int status, String code) {
        var r = client.request(method, path, null, null);
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.code()).isEqualTo(code);
        assertThat(r.body().get("message").asText()).isNotBlank();
    }

    /// Requests that never reach a route: Jetty's WebSocket handler or its HTTP parser refuses
    /// them. `\r\n` in a row stands for CRLF, `{filler}` for 70,000 letters.
    @ParameterizedTest(name = "{0} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "wrong WebSocket version | GET /v1/websocket HTTP/1.1\\r\\nHost: x\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nSec-WebSocket-Version: 8\\r\\n | 426 | invalid_upgrade",
            "no WebSocket key        | GET /v1/websocket HTTP/1.1\\r\\nHost: x\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Version: 13\\r\\n | 400 | invalid_upgrade",
            "malformed request line  | GET /v1/accounts HTTP/7.0\\r\\nHost: x\\r\\n | 400 | unsupported_http_version",
            "headers over the limit  | GET /health HTTP/1.1\\r\\nHost: x\\r\\nX-Filler: {filler}\\r\\n | 431 | headers_too_large",
            "URI over the limit      | GET /v1/{filler} HTTP/1.1\\r\\nHost: x\\r\\n | 414 | uri_too_long",
            "garbage request line    | NOT-HTTP\\r\\n | 400 | bad_request",
            "wrong upgrade by PATCH  | PATCH /v1/websocket HTTP/1.1\\r\\nHost: x\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Version: 13\\r\\nContent-Length: 0\\r\\n | 405 | method_not_allowed",
    })
    void requestsRefusedBelowTheRoutesGetJsonErrors(String what, String request, int status, String code) throws Exception {
        var answer = RawUpgrade.exchange(server, request.replace("\\r\\n", "\r\n").replace("{filler}", "a".repeat(70_000)) + "\r\n");

        assertThat(answer.status()).isEqualTo(status);
        assertThat(answer.headers().get("content-type")).startsWith("application/json");
        JsonNode body = new ObjectMapper().readTree(answer.body());
        assertThat(body.path("code").asText()).isEqualTo(code);
        assertThat(body.path("message").asText()).isNotBlank();
    }

    @Test
    void aNonUpgradeRequestForTheSocketNamesTheVersionItSpeaks() {
        var answer = RawUpgrade.exchange(server, "GET /v1/websocket HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(answer.status()).isEqualTo(426);
        assertThat(answer.headers().get("sec-websocket-version")).isEqualTo("13");
    }

    @Test
    void adminChallengeNamesTheBearerScheme() {
        var r = client.request("POST", "/v1/admin/registration-tokens", "{\"uses\":1}", "Bearer wrong");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        var device = client.request("GET", "/v1/devices", null, null);
        assertThat(device.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
    }
}
