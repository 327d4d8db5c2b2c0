package dev.courier.server.messages;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.EnvelopeType;
import dev.courier.protocol.OutgoingMessage;
import dev.courier.server.testing.ServerPerTest;
import dev.courier.server.testing.TestClient;
import dev.courier.server.testing.TestServer;
import dev.courier.server.testing.TestSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/// `POST /v1/messages`: the device-set contract, idempotency, validation and limits.
class SendMessageTest {
    @RegisterExtension
    final ServerPerTest servers = new ServerPerTest();
    private TestServer server;
    private TestClient client;

    private void start(Map<String, String> settings) {
        server = servers.start(settings);
        client = servers.client();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void retryWithSameMessageIdReturnsSameAnswerAndQueuesOnce() {
        start(Map.of());
        var alice = client.register("alice");
        var bob = client.register("bob");
        UUID id = UUID.randomUUID();
        var first = client.send(alice, id, bytes("once"), bob);
        server.clock().advance(java.time.Duration.ofSeconds(5));
        var retry = client.send(alice, id, bytes("once"), bob);
        assertThat(first.status()).isEqualTo(200);
        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(client.get("/v1/messages", bob).body().get("envelopes")).hasSize(1);
    }

    @Test
    void concurrentRetriesOfOneMessageQueueItOnce() throws Exception {
        start(Map.of());
        var alice = client.register("alice");
        var bob = client.register("bob");
        UUID id = UUID.randomUUID();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var futures = new java.util.ArrayList<java.util.concurrent.Future<TestClient.Response>>();
            for (int i = 0; i < 16; i++) futures.add(pool.submit(() -> client.send(alice, id, bytes("x"), bob)));
            long ts = -1;
            for (var f : futures) {
                var r = f.get();
                assertThat(r.status()).isEqualTo(200);
                if (ts < 0) ts = r.body().get("serverTimestamp").asLong();
                assertThat(r.body().get("serverTimestamp").asLong()).isEqualTo(ts);
            }
        }
        assertThat(client.get("/v1/messages", bob).body().get("envelopes")).hasSize(1);
    }

    @Test
    void sendMissingADeviceIsRefusedWith409ListingIt() {
        start(Map.of());
        var alice = client.register("alice");
        var bob = client.register("bob");
        var bob2 = client.addDevice(bob);
        var r = client.send(alice, bytes("hi"), bob);
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.code()).isEqualTo("mismatched_devices");
        assertThat(r.body().get("missingDevices").toString()).isEqualTo("[" + bob2.deviceId() + "]");
        assertThat(r.body().get("extraDevices").toString()).isEqualTo("[]");
        assertThat(client.get("/v1/messages", bob).body().get("envelopes")).isEmpty();
    }

    @Test
    void sendToAnUnknownDeviceIsRefusedWith409ListingItAsExtra() {
        start(Map.of());
        var alice = client.register("alice");
        var bob = client.register("bob");
        var r = client.send(alice, bob.username(), UUID.randomUUID(), List.of(
                new OutgoingMessage(1, bob.registrationId(), EnvelopeType.CIPHERTEXT, bytes("a")),
                new OutgoingMessage(7, 42, EnvelopeType.CIPHERTEXT, bytes("b"))));
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.body().get("missingDevices").toString()).isEqualTo("[]");
        assertThat(r.body().get("extraDevices").toString()).isEqualTo("[7]");
    }

    @Test
    void sendWithStaleRegistrationIdIsRefusedWith410() {
        start(Map.of());
        var alice = client.register("alice");
        var bob = client.register("bob");
        var r = client.send(alice, bob.username(), UUID.randomUUID(), List.of(
                new OutgoingMessage(1, bob.registrationId() % 0x3FFE + 1, EnvelopeType.PREKEY_MESSAGE, bytes("a"))));
        assertThat(r.status()).isEqualTo(410);
        assertThat(r.code()).isEqualTo("stale_devices");
        assertThat(r.body().get("staleDevices").toString()).isEqualTo("[1]");
    }

    @Test
    void sendFansOutToEveryDeviceAndSyncsToSendersOtherDevices() {
        start(Map.of());
        var alice = client.register("alice");
        var alice2 = client.addDevice(alice);
        var bob = client.register("bob");
        var bob2 = client.addDevice(bob);
        assertThat(client.send(alice, bytes("to bob"), bob, bob2).status()).isEqualTo(200);
        // To one's own account, the sending device is left out of the required set.
        assertThat(client.send(alice, bytes("sync"), alice2).status()).isEqualTo(200);
        assertThat(client.get("/v1/messages", bob).body().get("envelopes")).hasSize(1);
        assertThat(client.get("/v1/messages", bob2).body().get("envelopes")).hasSize(1);
        assertThat(client.get("/v1/messages", alice2).body().get("envelopes")).hasSize(1);
        assertThat(client.get("/v1/messages", alice).body().get("envelopes")).isEmpty();
    }

    @Test
    void recipientCanBeNamedByUsernameOrUuid() {
        start(Map.of());
        var alice = client.register("alice");
        var bob = client.register("bob");
        var byName = client.send(alice, "BOB", UUID.randomUUID(),
                List.of(new OutgoingMessage(1, bob.registrationId(), EnvelopeType.CIPHERTEXT, bytes("a"))));
        var byId = client.send(alice, bob.accountId().toString(), UUID.randomUUID(),
                List.of(new OutgoingMessage(1, bob.registrationId(), EnvelopeType.CIPHERTEXT, bytes("b"))));
        assertThat(byName.status()).isEqualTo(200);
        assertThat(byId.status()).isEqualTo(200);
        assertThat(byName.body().get("recipientId").asText()).isEqualTo(bob.accountId().toString());
    }

    @Test
    void unknownRecipientGets404() {
        start(Map.of());
        var alice = client.register("alice");
        var r = client.send(alice, "nobody", UUID.randomUUID(),
                List.of(new OutgoingMessage(1, 1, EnvelopeType.CIPHERTEXT, bytes("a"))));
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.code()).isEqualTo("unknown_recipient");
    }

    @Test
    void oversizeCiphertextGets413() {
        start(Map.of("messages.maxCiphertextSize", "1KiB", "http.maxBodySize", "64KiB"));
        var alice = client.register("alice");
        var bob = client.register("bob");
        var r = client.send(alice, new byte[1025], bob);
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.code()).isEqualTo("payload_too_large");
        assertThat(client.send(alice, new byte[1024], bob).status()).isEqualTo(200);
    }

    @Test
    void oversizeBodyGets413EvenWithoutContentLength() throws Exception {
        start(Map.of("messages.maxCiphertextSize", "1KiB", "http.maxBodySize", "64KiB"));
        var alice = client.register("alice");
        byte[] huge = new byte[200 * 1024];
        java.util.Arrays.fill(huge, (byte) ' ');
        assertThat(client.request("POST", "/v1/messages", huge, alice.authHeader()).status()).isEqualTo(413);
        // Chunked upload: no Content-Length, so the cap must be enforced while reading. Just over
        // the cap, so the client has finished writing when the 413 comes (a client still writing
        // a huge body may see the connection reset before it reads the answer).
        byte[] overCap = java.util.Arrays.copyOf(huge, 64 * 1024 + 16 * 1024);
        var http = java.net.http.HttpClient.newHttpClient();
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.baseUrl() + "/v1/messages"))
                .header("Authorization", alice.authHeader())
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(overCap)))
                .build();
        var response = http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("\"code\":\"payload_too_large\"");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "not JSON                 | {nope",
            "trailing garbage         | {\"recipient\":\"bob\"} x",
            "wrong type for timestamp | {\"recipient\":\"bob\",\"messageId\":\"6b7c7f1e-2f53-4b1f-9a55-2b0f1d1e2c3d\",\"timestamp\":\"soon\",\"messages\":[]}",
            "array instead of object  | []",
            "deep nesting             | [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
            "bad base64 content       | {\"recipient\":\"bob\",\"messageId\":\"6b7c7f1e-2f53-4b1f-9a55-2b0f1d1e2c3d\",\"timestamp\":1,\"messages\":[{\"deviceId\":1,\"registrationId\":1,\"type\":2,\"content\":\"!!!\"}]}",
    })
    void malformedJsonGets400(String what, String body) {
        start(Map.of());
        var alice = client.register("alice");
        var r = client.request("POST", "/v1/messages", body, alice.authHeader());
        assertThat(r.status()).as(what).isEqualTo(400);
        assertThat(r.code()).isEqualTo("invalid_json");
        assertThat(r.body().get("message").asText()).doesNotContain("at com.").doesNotContain("Exception");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "no recipient        | {\"messageId\":\"6b7c7f1e-2f53-4b1f-9a55-2b0f1d1e2c3d\",\"timestamp\":NOW,\"messages\":[{\"deviceId\":1,\"registrationId\":1,\"type\":2,\"content\":\"AA==\"}]}",
            "no message id       | {\"recipient\":\"bob\",\"timestamp\":NOW,\"messages\":[{\"deviceId\":1,\"registrationId\":1,\"type\":2,\"content\":\"AA==\"}]}",
            "no messages         | {\"recipient\":\"bob\",\"messageId\":\"6b7c7f1e-2f53-4b1f-9a55-2b0f1d1e2c3d\",\"timestamp\":NOW,\"messages\":[]}",
            "unknown type        | {\"recipient\":\"bob\",\"messageId\":\"6b7c7f1e-2f53-4b1f-9a55-2b0f1d1e2c3d\",\"timestamp\":NOW,\"messages\":[{\"deviceId\":1,\"registrationId\":1,\"type\":100,\"content\":\"AA==\"}]}",
            "empty content       | {\"recipient\":\"bob\",\"messageId\":\"6b7c7f1e-2f53-4b1f-9a55-2b0f1d1e2c3d\",\"timestamp\":NOW,\"messages\":[{\"deviceId\":1,\"registrationId\":1,\"type\":2,\"content\":\"\"}]}",
            "device twice        | {\"recipient\":\"bob\",\"messageId\":\"6b7c7f1e-2f53-4b1f-9a55-2b0f1d1e2c3d\",\"timestamp\":NOW,\"messages\":[{\"deviceId\":1,\"registrationId\":1,\"type\":2,\"content\":\"AA==\"},{\"deviceId\":1,\"registrationId\":1,\"type\":2,\"content\":\"AA==\"}]}",
            "timestamp far off   | {\"recipient\":\"bob\",\"messageId\":\"6b7c7f1e-2f53-4b1f-9a55-2b0f1d1e2c3d\",\"timestamp\":1,\"messages\":[{\"deviceId\":1,\"registrationId\":1,\"type\":2,\"content\":\"AA==\"}]}",
    })
    void invalidSendGets400InvalidRequest(String what, String body) {
        start(Map.of());
        var alice = client.register("alice");
        client.register("bob");
        var r = client.request("POST", "/v1/messages", body.replace("NOW", Long.toString(System.currentTimeMillis())),
                alice.authHeader());
        assertThat(r.status()).as(what).isEqualTo(400);
        assertThat(r.code()).isEqualTo("invalid_request");
    }

    @Test
    void sendsOverTheAccountRateGet429WithRetryAfter() {
        start(Map.of("ratelimit.sendPerAccount", "3/1h"));
        var alice = client.register("alice");
        var bob = client.register("bob");
        for (int i = 0; i < 3; i++) assertThat(client.send(alice, bytes("ok"), bob).status()).isEqualTo(200);
        var r = client.send(alice, bytes("too many"), bob);
        assertThat(r.status()).isEqualTo(429);
        assertThat(r.code()).isEqualTo("rate_limited");
        assertThat(Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow())).isPositive();
        // Another account has its own bucket.
        var carol = client.register("carol");
        assertThat(client.send(carol, bytes("fine"), bob).status()).isEqualTo(200);
    }

    @Test
    void requestsOverThePerIpRateGet429() {
        start(Map.of("ratelimit.perIp", "5/1h"));
        int last = 0;
        for (int i = 0; i < 6; i++) last = client.request("GET", "/v1/devices", null, null).status();
        assertThat(last).isEqualTo(429);
    }

    @Test
    void fullRecipientQueueRefusesTheSendWithAClearErrorAndDropsNothing() {
        start(Map.of("messages.maxQueueDepth", "3"));
        var alice = client.register("alice");
        var bob = client.register("bob");
        for (int i = 0; i < 3; i++) assertThat(client.send(alice, bytes("m" + i), bob).status()).isEqualTo(200);
        var r = client.send(alice, bytes("overflow"), bob);
        assertThat(r.status()).isEqualTo(429);
        assertThat(r.code()).isEqualTo("recipient_queue_full");
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
        var pending = client.get("/v1/messages", bob).body().get("envelopes");
        assertThat(pending).hasSize(3);
        // Acknowledging frees room.
        client.request("DELETE", "/v1/messages/" + pending.get(0).get("guid").asText(), null, bob.authHeader());
        assertThat(client.send(alice, bytes("now fits"), bob).status()).isEqualTo(200);
    }

    @Test
    void restFallbackListsPendingAndAcknowledgesByGuid() {
        start(Map.of());
        var alice = client.register("alice");
        var bob = client.register("bob");
        client.send(alice, bytes("one"), bob);
        client.send(alice, bytes("two"), bob);
        var list = client.get("/v1/messages", bob);
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body().get("more").asBoolean()).isFalse();
        var envelopes = list.body().get("envelopes");
        assertThat(envelopes).hasSize(2);
        assertThat(new String(java.util.Base64.getDecoder().decode(envelopes.get(0).get("content").asText()))).isEqualTo("one");
        String guid = envelopes.get(0).get("guid").asText();
        assertThat(client.request("DELETE", "/v1/messages/" + guid, null, bob.authHeader()).status()).isEqualTo(204);
        assertThat(client.request("DELETE", "/v1/messages/" + guid, null, bob.authHeader()).status()).isEqualTo(404);
        assertThat(client.request("DELETE", "/v1/messages/not-a-uuid", null, bob.authHeader()).status()).isEqualTo(400);
        assertThat(client.get("/v1/messages", bob).body().get("envelopes")).hasSize(1);
    }

    @Test
    void concurrentSendsShareCommits() throws Exception {
        start(Map.of());
        var alice = client.register("alice");
        var bob = client.register("bob");
        // 32 sends in flight at a time, so 32 connections: the JDK client opens one per concurrent
        // request, and a burst of 200 connects drew a connection reset once in CI (2026-12-04),
        // which is not what this test is about.
        var inFlight = new java.util.concurrent.Semaphore(32);
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var futures = new java.util.ArrayList<java.util.concurrent.Future<Integer>>();
            for (int i = 0; i < 200; i++) {
                futures.add(pool.submit(() -> {
                    inFlight.acquire();
                    try {
                        return client.send(alice, bytes("x"), bob).status();
                    } finally {
                        inFlight.release();
                    }
                }));
            }
            for (var f : futures) assertThat(f.get()).isEqualTo(200);
        }
        var raw = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.baseUrl() + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        // Fewer commits than write units means some commits carried several sends: no fsync per message.
        long commits = (long) metricValue(raw, "courier_sqlite_commit_batch_count");
        double units = metricValue(raw, "courier_sqlite_commit_batch_sum");
        assertThat(units).isGreaterThanOrEqualTo(200);
        assertThat(commits).as("commits for %s write units", units).isLessThan((long) units);
        // Every commit is timed: as many timings as commits (give or take a background commit,
        // such as the expiry reaper's, caught between the two meters by the scrape).
        assertThat((long) metricValue(raw, "courier_sqlite_commit_time_seconds_count")).isBetween(commits - 1, commits + 1);
        assertThat(metricValue(raw, "courier_sqlite_commit_time_seconds_sum")).isPositive();
    }

    static double metricValue(String exposition, String name) {
        for (String line : exposition.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("metric " + name + " not found");
    }

    @Test
    void ciphertextIsPassedThroughByteForByte() {
        start(Map.of());
        var alice = client.register("alice");
        var bob = client.register("bob");
        byte[] content = dev.courier.server.testing.TestKeys.random(4096);
        client.send(alice, content, bob);
        try (var socket = TestSocket.connect(server, bob)) {
            assertThat(socket.nextEnvelope().content()).isEqualTo(content);
        }
    }
}
