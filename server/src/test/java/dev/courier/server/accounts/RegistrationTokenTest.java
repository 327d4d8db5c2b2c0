package dev.courier.server.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.CreateRegistrationTokenRequest;
import dev.courier.protocol.DeviceKeys;
import dev.courier.protocol.RegisterAccountRequest;
import dev.courier.protocol.RegisterAccountResponse;
import dev.courier.protocol.RegistrationTokenResponse;
import dev.courier.server.testing.TestClient;
import dev.courier.server.testing.TestKeys;
import dev.courier.server.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/// Registration gated by tokens that the operator mints through the admin API.
class RegistrationTokenTest {
    private static final String ADMIN_TOKEN = "admin-token-for-tests-0123456789abcdef";
    private static TestServer server;
    private static TestClient client;
    private static final AtomicInteger names = new AtomicInteger();

    @BeforeAll
    static void start() {
        server = new TestServer(Map.of("registration.policy", "token", "admin.token", ADMIN_TOKEN));
        client = new TestClient(server.baseUrl());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String unique(String prefix) {
        return prefix + "_" + names.incrementAndGet();
    }

    private static TestClient.Response mint(Object body, String authorization) {
        return client.request("POST", "/v1/admin/registration-tokens", body, authorization);
    }

    private static String mint(int uses) {
        var response = mint(new CreateRegistrationTokenRequest(uses, null), "Bearer " + ADMIN_TOKEN);
        assertThat(response.status()).isEqualTo(200);
        var token = response.as(RegistrationTokenResponse.class);
        assertThat(token.uses()).isEqualTo(uses);
        assertThat(token.token()).isNotBlank();
        return token.token();
    }

    private static TestClient.Response register(String username, String token) {
        return register(username, token, TestKeys.device(2));
    }

    private static TestClient.Response register(String username, String token, DeviceKeys keys) {
        return client.register(new RegisterAccountRequest(username, 4321, "phone", token, keys));
    }

    @Test
    void registrationWithoutATokenIsRefusedWith403() {
        String name = unique("tok_none");

        var response = register(name, null);

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.code()).isEqualTo("registration_token_required");
        // A blank token counts as none.
        var blank = register(name, "   ");
        assertThat(blank.status()).isEqualTo(403);
        assertThat(blank.code()).isEqualTo("registration_token_required");
    }

    @Test
    void registrationWithAWrongTokenIsRefusedWith403() {
        mint(5); // a valid token exists, but it is not the one presented
        var response = register(unique("tok_wrong"), "this-is-not-a-token-the-server-minted");

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.code()).isEqualTo("invalid_registration_token");
    }

    @Test
    void aMintedTokenRegistersAnAccountWhoseCredentialWorks() {
        String token = mint(1);

        var response = register(unique("tok_ok"), token);

        assertThat(response.status()).isEqualTo(200);
        var account = response.as(RegisterAccountResponse.class);
        assertThat(account.deviceId()).isEqualTo(1);
        assertThat(client.request("GET", "/v1/devices", null, TestClient.basic(account.accountId() + ".1", account.credential())).status())
                .isEqualTo(200);
    }

    @Test
    void mintedTokensAreDistinct() {
        assertThat(mint(1)).isNotEqualTo(mint(1));
    }

    @Test
    void aSingleUseTokenRegistersOnlyOnce() {
        String token = mint(1);

        assertThat(register(unique("tok_single"), token).status()).isEqualTo(200);
        var second = register(unique("tok_single"), token);

        assertThat(second.status()).isEqualTo(403);
        assertThat(second.code()).isEqualTo("invalid_registration_token");
    }

    @Test
    void aLimitedUseTokenRegistersExactlyItsNumberOfAccounts() {
        String token = mint(3);

        for (int i = 0; i < 3; i++) {
            assertThat(register(unique("tok_limited"), token).status()).as("registration %d", i + 1).isEqualTo(200);
        }
        var fourth = register(unique("tok_limited"), token);

        assertThat(fourth.status()).isEqualTo(403);
        assertThat(fourth.code()).isEqualTo("invalid_registration_token");
    }

    @Test
    void concurrentRegistrationsWithALimitedUseTokenSucceedExactlyItsNumberOfTimes() throws Exception {
        String token = mint(3);
        List<Future<Integer>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 12; i++) {
                String name = unique("tok_race");
                results.add(pool.submit(() -> register(name, token).status()));
            }
        }
        List<Integer> statuses = new ArrayList<>();
        for (Future<Integer> f : results) statuses.add(f.get());

        assertThat(statuses).filteredOn(s -> s == 200).hasSize(3);
        assertThat(statuses).filteredOn(s -> s == 403).hasSize(9);
    }

    @Test
    void aRegistrationRefusedForATakenUsernameDoesNotSpendAUse() {
        String taken = unique("tok_taken");
        assertThat(register(taken, mint(1)).status()).isEqualTo(200);
        String token = mint(1);

        var clash = register(taken.toUpperCase(), token);
        assertThat(clash.status()).isEqualTo(409);
        assertThat(clash.code()).isEqualTo("username_taken");

        // The single use is still there...
        assertThat(register(unique("tok_taken"), token).status()).isEqualTo(200);
        // ...and now it is spent.
        assertThat(register(unique("tok_taken"), token).code()).isEqualTo("invalid_registration_token");
    }

    @Test
    void aRegistrationRefusedForInvalidInputDoesNotSpendAUse() {
        String token = mint(1);

        assertThat(register("9 not a username", token).status()).isEqualTo(400);
        assertThat(register(unique("tok_badkey"), token, null).code()).isEqualTo("invalid_key");
        assertThat(client.register(new RegisterAccountRequest(unique("tok_badrid"), 0, "x", token, TestKeys.device(1))).status())
                .isEqualTo(400);

        assertThat(register(unique("tok_after_bad"), token).status()).isEqualTo(200);
        assertThat(register(unique("tok_after_bad"), token).code()).isEqualTo("invalid_registration_token");
    }

    @Test
    void anExpiredTokenIsRefused() {
        var minted = mint(new CreateRegistrationTokenRequest(2, 60L), "Bearer " + ADMIN_TOKEN).as(RegistrationTokenResponse.class);
        assertThat(minted.expiresAt()).isNotNull();
        assertThat(minted.expiresAt()).isBetween(server.clock().millis() + 55_000, server.clock().millis() + 60_000);

        // Valid before its time runs out...
        assertThat(register(unique("tok_exp"), minted.token()).status()).isEqualTo(200);
        server.clock().advance(Duration.ofSeconds(61));

        // ...and refused after, although it has a use left.
        var late = register(unique("tok_exp"), minted.token());
        assertThat(late.status()).isEqualTo(403);
        assertThat(late.code()).isEqualTo("invalid_registration_token");
    }

    @Test
    void aTokenWithoutExpiryOutlivesTheClock() {
        String token = mint(1);
        server.clock().advance(Duration.ofDays(3650));

        assertThat(register(unique("tok_noexp"), token).status()).isEqualTo(200);
    }

    @Test
    void mintingRequiresTheAdminToken() {
        var none = mint(new CreateRegistrationTokenRequest(1, null), null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.code()).isEqualTo("unauthorized");

        var wrong = mint(new CreateRegistrationTokenRequest(1, null), "Bearer " + ADMIN_TOKEN + "x");
        assertThat(wrong.status()).isEqualTo(401);
        var prefix = mint(new CreateRegistrationTokenRequest(1, null), "Bearer " + ADMIN_TOKEN.substring(0, 31));
        assertThat(prefix.status()).isEqualTo(401);
        var notBearer = mint(new CreateRegistrationTokenRequest(1, null), TestClient.basic("admin", ADMIN_TOKEN));
        assertThat(notBearer.status()).isEqualTo(401);
        var bare = mint(new CreateRegistrationTokenRequest(1, null), ADMIN_TOKEN);
        assertThat(bare.status()).isEqualTo(401);
    }

    @Test
    void aDeviceCredentialDoesNotOpenTheAdminApi() {
        var device = register(unique("tok_dev"), mint(1)).as(RegisterAccountResponse.class);

        var asDevice = mint(new CreateRegistrationTokenRequest(1, null), TestClient.basic(device.accountId() + ".1", device.credential()));
        var asBearer = mint(new CreateRegistrationTokenRequest(1, null), "Bearer " + device.credential());

        assertThat(asDevice.status()).isEqualTo(401);
        assertThat(asBearer.status()).isEqualTo(401);
    }

    @Test
    void mintingRefusesAnInvalidNumberOfUsesOrLifetime() {
        String admin = "Bearer " + ADMIN_TOKEN;
        assertThat(mint(new CreateRegistrationTokenRequest(0, null), admin).status()).isEqualTo(400);
        assertThat(mint(new CreateRegistrationTokenRequest(-1, null), admin).status()).isEqualTo(400);
        assertThat(mint(new CreateRegistrationTokenRequest(1_000_001, null), admin).status()).isEqualTo(400);
        assertThat(mint(new CreateRegistrationTokenRequest(1, 0L), admin).status()).isEqualTo(400);
        assertThat(mint(new CreateRegistrationTokenRequest(1, -5L), admin).status()).isEqualTo(400);
    }

    @Test
    void adminApiIsOffWithoutAnAdminToken() {
        try (var plain = new TestServer(Map.of("registration.policy", "token"))) {
            var c = new TestClient(plain.baseUrl());

            var anonymous = c.request("POST", "/v1/admin/registration-tokens", new CreateRegistrationTokenRequest(1, null), null);
            var withSomeToken = c.request("POST", "/v1/admin/registration-tokens", new CreateRegistrationTokenRequest(1, null),
                    "Bearer " + ADMIN_TOKEN);

            assertThat(anonymous.status()).isEqualTo(403);
            assertThat(anonymous.code()).isEqualTo("admin_disabled");
            assertThat(withSomeToken.status()).isEqualTo(403);
            assertThat(withSomeToken.code()).isEqualTo("admin_disabled");
        }
    }

    @Test
    void openRegistrationIgnoresATokenAndDoesNotNeedOne() {
        try (var open = new TestServer(Map.of("registration.policy", "open"))) {
            var c = new TestClient(open.baseUrl());
            assertThat(c.register(new RegisterAccountRequest("open_a", 1, "x", null, TestKeys.device(1))).status()).isEqualTo(200);
            assertThat(c.register(new RegisterAccountRequest("open_b", 1, "x", "whatever", TestKeys.device(1))).status()).isEqualTo(200);
        }
    }
}
