package dev.courier.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        ServerConfig c = ServerConfig.defaults();
        assertThat(c.http().port()).isEqualTo(8080);
        assertThat(c.messages().ttl()).isEqualTo(Duration.ofDays(30));
        assertThat(c.messages().maxCiphertextSize()).isEqualTo(DataSize.ofKibibytes(256));
        assertThat(c.accounts().registrationPolicy()).isEqualTo(ServerConfig.RegistrationPolicy.OPEN);
        assertThat(c.adminToken()).isEmpty();
    }

    @Test
    void environmentOverridesTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("courier.properties");
        Files.writeString(file, "http.port = 9000\nmessages.ttl = 7d\n");
        ServerConfig c = ConfigLoader.load(Optional.of(file), Map.of("COURIER_HTTP_PORT", "9100"));
        assertThat(c.http().port()).isEqualTo(9100);
        assertThat(c.messages().ttl()).isEqualTo(Duration.ofDays(7));
    }

    @ParameterizedTest
    @CsvSource({
            "http.port, HTTP_PORT",
            "messages.maxQueueDepth, MESSAGES_MAX_QUEUE_DEPTH",
            "storage.dataDir, STORAGE_DATA_DIR",
            "ratelimit.sendPerAccount, RATELIMIT_SEND_PER_ACCOUNT",
    })
    void environmentNamesAreUpperSnakeCase(String key, String suffix) {
        assertThat(ConfigLoader.envName(key)).isEqualTo("COURIER_" + suffix);
    }

    @Test
    void unknownSettingInTheFileIsRefusedByName(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("courier.properties");
        Files.writeString(file, "messages.tll = 7d\n");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("messages.tll");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "COURIER_HTTP_PORT                  | eighty    | http.port",
            "COURIER_HTTP_PORT                  | 70000     | http.port",
            "COURIER_MESSAGES_TTL               | 30 days   | messages.ttl",
            "COURIER_MESSAGES_MAX_CIPHERTEXT_SIZE | 1TB     | messages.maxCiphertextSize",
            "COURIER_REGISTRATION_POLICY        | invite    | registration.policy",
            "COURIER_RATELIMIT_PER_IP           | lots      | ratelimit.perIp",
            "COURIER_ADMIN_TOKEN                | short     | admin.token",
            "COURIER_STORAGE_BACKEND            | mysql     | storage.backend",
            "COURIER_HTTP_MAX_BODY_SIZE         | 2KiB      | http.maxBodySize",
    })
    void badValueFailsFastNamingTheSetting(String env, String value, String key) {
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of(env, value)))
                .isInstanceOf(ConfigException.class).hasMessageContaining(key);
    }

    @Test
    void secretsNeverPrintTheirValue() {
        Secret s = new Secret("a-very-secret-admin-token-of-some-length");
        assertThat(s.toString()).doesNotContain("secret-admin");
        assertThat(s.matches("a-very-secret-admin-token-of-some-length")).isTrue();
        assertThat(s.matches("wrong")).isFalse();
        assertThat(ConfigLoader.load(Optional.empty(), Map.of("COURIER_ADMIN_TOKEN", "x".repeat(40))).toString())
                .doesNotContain("x".repeat(40));
    }
}
