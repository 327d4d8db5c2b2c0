package dev.courier.server.http;

import static org.assertj.core.api.Assertions.assertThat;

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

    @Test
    void adminChallengeNamesTheBearerScheme() {
        var r = client.request("POST", "/v1/admin/registration-tokens", "{\"uses\":1}", "Bearer wrong");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        var device = client.request("GET", "/v1/devices", null, null);
        assertThat(device.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
    }
}
