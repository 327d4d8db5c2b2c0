package dev.courier.server.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.protocol.webpush.P256;
import dev.courier.protocol.webpush.WebPushCrypto;
import dev.courier.server.push.webpush.VapidKeys;
import dev.courier.server.push.webpush.VapidSigner;
import dev.courier.server.testing.PushServiceReceiver.Mode;
import dev.courier.server.testing.PushServiceReceiver.ReceivedPush;
import dev.courier.server.testing.PushServiceReceiver.Subscription;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PushServiceReceiverTest {
    private static final String CONTACT = "mailto:ops@courier.example";

    private final PushServiceReceiver receiver = new PushServiceReceiver();
    private final HttpClient http = HttpClient.newHttpClient();
    private final VapidKeys serverKeys = VapidKeys.of(P256.generateKeyPair());
    private final VapidSigner signer = new VapidSigner(serverKeys, CONTACT, Clock.systemUTC());

    @AfterEach
    void close() {
        http.close();
        receiver.close();
    }

    @Test
    void validPushIsAcceptedDecryptedAndRecorded() throws Exception {
        Subscription subscription = receiver.newSubscription();
        HttpRequest request = push(subscription, "wake up", signer.authorization(subscription.endpoint()))
                .header("Urgency", "high")
                .build();

        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(response.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).startsWith(receiver.origin()));
        List<ReceivedPush> received = receiver.awaitReceived(1, Duration.ofSeconds(5));
        assertThat(received).singleElement().satisfies(push -> {
            assertThat(push.subscriptionId()).isEqualTo(subscription.id());
            assertThat(push.text()).isEqualTo("wake up");
            assertThat(push.ttl()).isEqualTo(Duration.ofSeconds(60));
            assertThat(push.urgency()).contains("high");
        });
        assertThat(receiver.received(subscription.id())).hasSize(1);
        assertThat(receiver.received(receiver.newSubscription().id())).isEmpty();
        assertThat(receiver.rejections()).isEmpty();
        assertThat(receiver.requestCount()).isEqualTo(1);
    }

    @Test
    void subscriptionKeysAreWhatABrowserHandsOut() {
        Subscription subscription = receiver.newSubscription();

        assertThat(subscription.endpoint().toString()).startsWith(receiver.origin() + "/push/");
        assertThat(subscription.publicKey()).hasSize(65);
        assertThat(subscription.authSecret()).hasSize(16);
        assertThat(subscription.p256dh() + subscription.auth()).doesNotContain("=", "+", "/");
    }

    @Test
    void signatureByAnotherKeyIsRejected() throws Exception {
        Subscription subscription = receiver.newSubscription();
        String forged = new VapidSigner(VapidKeys.of(P256.generateKeyPair()), CONTACT, Clock.systemUTC())
                .authorization(subscription.endpoint())
                .replaceFirst("k=.*", "k=" + serverKeys.publicKeyBase64Url());

        assertRejected(push(subscription, "x", forged).build(), 403, "signature does not verify");
    }

    @Test
    void tokenForAnotherAudienceIsRejected() throws Exception {
        Subscription subscription = receiver.newSubscription();
        String otherAudience = signer.authorization(URI.create("https://push.example.net/x"));

        assertRejected(push(subscription, "x", otherAudience).build(), 403, "aud must be " + receiver.origin());
    }

    @Test
    void expiredTokenIsRejected() throws Exception {
        Subscription subscription = receiver.newSubscription();
        Clock thirteenHoursAgo = Clock.offset(Clock.systemUTC(), Duration.ofHours(-13));
        String expired = new VapidSigner(serverKeys, CONTACT, thirteenHoursAgo).authorization(subscription.endpoint());

        assertRejected(push(subscription, "x", expired).build(), 403, "expired");
    }

    @Test
    void tokenExpiringMoreThanADayAheadIsRejected() throws Exception {
        Subscription subscription = receiver.newSubscription();
        Clock thirteenHoursAhead = Clock.offset(Clock.systemUTC(), Duration.ofHours(13));
        String tooLong = new VapidSigner(serverKeys, CONTACT, thirteenHoursAhead).authorization(subscription.endpoint());

        assertRejected(push(subscription, "x", tooLong).build(), 403, "24 hours");
    }

    @Test
    void pushWithoutAuthorizationIsRejectedAsUnauthorized() throws Exception {
        Subscription subscription = receiver.newSubscription();
        HttpRequest request = request(subscription, encrypt(subscription, "x"),
                "TTL", "60", "Content-Encoding", "aes128gcm").build();

        assertRejected(request, 401, "Authorization");
    }

    @Test
    void pushSignedWithAKeyOtherThanTheExpectedOneIsForbidden() throws Exception {
        receiver.expectServerKey(VapidKeys.of(P256.generateKeyPair()).publicKeyBase64Url());
        Subscription subscription = receiver.newSubscription();

        assertRejected(push(subscription, "x", signer.authorization(subscription.endpoint())).build(), 403,
                "restricted");
    }

    @Test
    void pushWithoutTtlIsRejected() throws Exception {
        Subscription subscription = receiver.newSubscription();
        HttpRequest request = request(subscription, encrypt(subscription, "x"),
                "Authorization", signer.authorization(subscription.endpoint()), "Content-Encoding", "aes128gcm").build();

        assertRejected(request, 400, "TTL");
    }

    @Test
    void bodyEncryptedForAnotherSubscriptionIsRejected() throws Exception {
        Subscription subscription = receiver.newSubscription();
        Subscription other = receiver.newSubscription();
        HttpRequest request = request(subscription, encrypt(other, "x"), "Authorization",
                signer.authorization(subscription.endpoint()), "TTL", "60", "Content-Encoding", "aes128gcm").build();

        assertRejected(request, 400, "does not decrypt");
    }

    @Test
    void goneModeAnswers410WithoutRecordingARejection() throws Exception {
        Subscription subscription = receiver.newSubscription();
        receiver.setMode(subscription.id(), Mode.GONE);

        HttpResponse<String> response = http.send(push(subscription, "x", signer.authorization(subscription.endpoint())).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(410);
        assertThat(receiver.received()).isEmpty();
        assertThat(receiver.rejections()).isEmpty();
        assertThat(receiver.requestCount()).isEqualTo(1);
    }

    @Test
    void perSubscriptionModeOverridesTheGlobalOne() throws Exception {
        receiver.setMode(Mode.TOO_MANY_REQUESTS);
        Subscription limited = receiver.newSubscription();
        Subscription healthy = receiver.newSubscription();
        receiver.setMode(healthy.id(), Mode.ACCEPT);

        HttpResponse<String> limitedResponse = http.send(push(limited, "x", signer.authorization(limited.endpoint())).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> healthyResponse = http.send(push(healthy, "y", signer.authorization(healthy.endpoint())).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(limitedResponse.statusCode()).isEqualTo(429);
        assertThat(limitedResponse.headers().firstValue("Retry-After")).contains("1");
        assertThat(healthyResponse.statusCode()).isEqualTo(201);
    }

    @Test
    void hangModeNeverAnswersAndCloseReleasesIt() throws Exception {
        Subscription subscription = receiver.newSubscription();
        receiver.setMode(Mode.HANG);
        HttpRequest request = push(subscription, "x", signer.authorization(subscription.endpoint()))
                .timeout(Duration.ofMillis(300))
                .build();

        assertThatThrownBy(() -> http.send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);
        long started = System.nanoTime();
        receiver.close();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void awaitReceivedNamesTheRejectionsWhenItTimesOut() {
        receiver.newSubscription();

        assertThatThrownBy(() -> receiver.awaitReceived(1, Duration.ofMillis(50)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("received 0");
    }

    private void assertRejected(HttpRequest request, int status, String reason) throws Exception {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.body()).contains(reason);
        assertThat(receiver.received()).isEmpty();
        assertThat(receiver.rejections()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(status);
            assertThat(r.reason()).contains(reason);
        });
    }

    /// A well-formed push of `text`, as the server will send it.
    private static HttpRequest.Builder push(Subscription subscription, String text, String authorization) {
        return request(subscription, encrypt(subscription, text), "Authorization", authorization, "TTL", "60",
                "Content-Encoding", "aes128gcm", "Content-Type", "application/octet-stream");
    }

    /// A POST to the subscription with exactly the given header names and values.
    private static HttpRequest.Builder request(Subscription subscription, byte[] body, String... headers) {
        return HttpRequest.newBuilder(subscription.endpoint())
                .headers(headers)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    }

    private static byte[] encrypt(Subscription subscription, String text) {
        return WebPushCrypto.encrypt(text.getBytes(StandardCharsets.UTF_8), subscription.publicKey(), subscription.authSecret());
    }
}
