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
        assertThat(c.storage().backend()).isEqualTo(ServerConfig.Storage.Backend.SQLITE);
        assertThat(c.storage().dataDir()).isEqualTo(Path.of("./data"));
        assertThat(c.storage().postgres()).isEmpty();
    }

    @Test
    void postgresSettingsComeFromTheFileAndTheEnvironmentWins(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("courier.properties");
        Files.writeString(file, """
                storage.backend = postgres
                storage.postgres.url = jdbc:postgresql://db.internal:5432/courier
                storage.postgres.user = courier
                storage.postgres.poolSize = 20
                """);

        ServerConfig c = ConfigLoader.load(Optional.of(file), Map.of(
                "COURIER_STORAGE_POSTGRES_PASSWORD", "pg-password-from-env", "COURIER_STORAGE_POSTGRES_POOL_SIZE", "32"));

        assertThat(c.storage().backend()).isEqualTo(ServerConfig.Storage.Backend.POSTGRES);
        ServerConfig.Postgres pg = c.storage().postgres().orElseThrow();
        assertThat(pg.url()).isEqualTo("jdbc:postgresql://db.internal:5432/courier");
        assertThat(pg.user()).isEqualTo("courier");
        assertThat(pg.poolSize()).isEqualTo(32);
        assertThat(pg.password()).hasValueSatisfying(p -> assertThat(p.reveal()).isEqualTo("pg-password-from-env"));
        assertThat(c.toString()).doesNotContain("pg-password-from-env");
    }

    @Test
    void postgresBackendIsChosenCaseInsensitivelyWithDefaults() {
        ServerConfig c = ConfigLoader.load(Optional.empty(), Map.of(
                "COURIER_STORAGE_BACKEND", "Postgres", "COURIER_STORAGE_POSTGRES_URL", "jdbc:postgresql://localhost/courier"));

        ServerConfig.Postgres pg = c.storage().postgres().orElseThrow();
        assertThat(pg.user()).as("empty: left to the URL or the driver").isEmpty();
        assertThat(pg.password()).isEmpty();
        assertThat(pg.poolSize()).isEqualTo(10);
    }

    @Test
    void postgresBackendWithoutUrlIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("COURIER_STORAGE_BACKEND", "postgres")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("storage.postgres.url").hasMessageContaining("COURIER_STORAGE_POSTGRES_URL");
    }

    @Test
    void postgresUrlThatIsNotJdbcIsRefusedWithoutEchoingIt() {
        String url = "postgres://courier:hunter2@db.internal/courier";
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of(
                "COURIER_STORAGE_BACKEND", "postgres", "COURIER_STORAGE_POSTGRES_URL", url)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("storage.postgres.url").hasMessageContaining("jdbc:postgresql://")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void postgresUrlWithTheSqliteBackendIsRefused() {
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of(
                "COURIER_STORAGE_POSTGRES_URL", "jdbc:postgresql://localhost/courier")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("storage.backend").hasMessageContaining("sqlite");
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
            "storage.postgres.poolSize, STORAGE_POSTGRES_POOL_SIZE",
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
            "COURIER_STORAGE_POSTGRES_POOL_SIZE | 0         | storage.postgres.poolSize",
            "COURIER_STORAGE_POSTGRES_POOL_SIZE | many      | storage.postgres.poolSize",
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
