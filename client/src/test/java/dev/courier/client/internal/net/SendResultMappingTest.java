package dev.courier.client.internal.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.courier.client.CourierException;
import dev.courier.protocol.EnvelopeType;
import dev.courier.protocol.OutgoingMessage;
import dev.courier.protocol.SendMessageRequest;
import dev.courier.server.testing.TestClient;
import dev.courier.server.testing.TestKeys;
import dev.courier.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/// A send's `send_result` on the delivery socket means to the SDK exactly what `POST`'s answer to
/// the same send means: the same [ServerApi.SendResult], or the same exception. Each send goes
/// over the socket first, then by `POST` with the same `messageId`, to a real server.
class SendResultMappingTest {
    private final List<AutoCloseable> open = new ArrayList<>();
    private TestServer server;
    private TestClient.Device bob;
    private TestClient.Device bobLaptop;
    private ServerApi api;
    private DeliveryConnection socket;

    /// Alice's socket and API, and Bob with two devices.
    private void start(Map<String, String> settings) {
        server = new TestServer(settings);
        open.add(server);
        var raw = new TestClient(server.baseUrl());
        var alice = raw.register("alice");
        bob = raw.register("bob");
        bobLaptop = raw.addDevice(bob);
        var http = HttpClient.newHttpClient();
        open.add(http);
        api = new ServerApi(URI.create(server.baseUrl()), http, alice::authHeader);
        socket = new DeliveryConnection(URI.create(server.baseUrl()), http, alice::authHeader, frame -> {}, up -> {});
        open.add(socket);
        socket.start();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(socket::isConnected);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open.reversed()) c.close();
    }

    /// What a send came to, comparable across the two paths.
    private sealed interface Outcome {}

    private record Answered(ServerApi.SendResult result) implements Outcome {
        @Override
        public String toString() {
            return result instanceof ServerApi.SendResult.Accepted ? "Accepted" : result.toString();
        }
    }

    private record Thrown(Class<?> type, int status, String code, String message) implements Outcome {
        static Thrown of(CourierException e) {
            return e instanceof CourierException.Refused r ? new Thrown(r.getClass(), r.status(), r.code(), r.getMessage())
                    : new Thrown(e.getClass(), 0, null, e.getMessage());
        }

        @Override
        public String toString() {
            return type.getSimpleName() + (status == 0 ? "" : " " + status + " " + code);
        }
    }

    private static Outcome outcome(Supplier<ServerApi.SendResult> send) {
        try {
            return new Answered(send.get());
        } catch (CourierException e) {
            return Thrown.of(e);
        }
    }

    private ServerApi.SendResult overTheSocket(SendMessageRequest request) {
        try {
            var answer = socket.send(request).orElseThrow().get(10, TimeUnit.SECONDS);
            return api.sendResult(request.recipient(), answer.status(), answer.result(), answer.error());
        } catch (Exception e) {
            if (e instanceof CourierException c) throw c;
            throw new AssertionError("no answer on the socket", e);
        }
    }

    private static OutgoingMessage to(int deviceId, int registrationId) {
        return new OutgoingMessage(deviceId, registrationId, EnvelopeType.CIPHERTEXT, TestKeys.random(64));
    }

    private SendMessageRequest send(String which) {
        var phone = to(bob.deviceId(), bob.registrationId());
        var laptop = to(bobLaptop.deviceId(), bobLaptop.registrationId());
        String recipient = bob.accountId().toString();
        long now = System.currentTimeMillis();
        return switch (which) {
            case "accepted" -> new SendMessageRequest(recipient, UUID.randomUUID(), now, List.of(phone, laptop));
            case "a missing device" -> new SendMessageRequest(recipient, UUID.randomUUID(), now, List.of(phone));
            case "an extra device" -> new SendMessageRequest(recipient, UUID.randomUUID(), now, List.of(phone, laptop, to(3, 77)));
            case "a stale registration" -> new SendMessageRequest(recipient, UUID.randomUUID(), now,
                    List.of(to(bob.deviceId(), bob.registrationId() % 16000 + 1), laptop));
            case "an unknown recipient" -> new SendMessageRequest("nobody-here", UUID.randomUUID(), now, List.of(phone));
            case "a clock a year off" -> new SendMessageRequest(recipient, UUID.randomUUID(), now - 365L * 24 * 3600 * 1000,
                    List.of(phone, laptop));
            default -> throw new IllegalArgumentException(which);
        };
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            accepted             | Accepted
            a missing device     | Mismatched[missing=[2], extra=[]]
            an extra device      | Mismatched[missing=[], extra=[3]]
            a stale registration | Stale[stale=[1]]
            an unknown recipient | UnknownUser
            a clock a year off   | Refused 400 invalid_request
            """)
    void aSendResultMeansWhatThePostOfTheSameSendAnswers(String which, String expected) {
        start(Map.of());
        SendMessageRequest request = send(which);

        Outcome bySocket = outcome(() -> overTheSocket(request));
        Outcome byPost = outcome(() -> api.send(request));

        assertThat(bySocket).hasToString(expected);
        // For "accepted", the POST repeats a stored send and gets the first answer, timestamp and all.
        assertThat(bySocket).isEqualTo(byPost);
    }

    @Test
    void aRateLimitedSendOverTheSocketWaitsAsLongAsThePostIsTold() {
        start(Map.of("ratelimit.sendPerAccount", "1/1h"));
        assertThat(outcome(() -> overTheSocket(send("accepted")))).hasToString("Accepted");
        SendMessageRequest request = send("accepted");

        ServerApi.RateLimited bySocket = rateLimited(() -> overTheSocket(request));
        ServerApi.RateLimited byPost = rateLimited(() -> api.send(request));

        assertThat(bySocket).hasMessage(byPost.getMessage());
        // An hour's bucket: far from the client's default when the server names no time.
        assertThat(bySocket.retryAfterSeconds()).isGreaterThan(ServerApi.RateLimited.DEFAULT_RETRY_AFTER_SECONDS)
                .isCloseTo(byPost.retryAfterSeconds(), within(1L));
    }

    private static ServerApi.RateLimited rateLimited(Supplier<ServerApi.SendResult> send) {
        try {
            throw new AssertionError("not rate limited: " + send.get());
        } catch (ServerApi.RateLimited e) {
            return e;
        }
    }
}
