package dev.courier.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.ClientFrame;
import dev.courier.protocol.SendMessageResponse;
import dev.courier.protocol.ServerFrame;
import dev.courier.server.accounts.DeviceAddress;
import dev.courier.server.config.RateLimit;
import dev.courier.server.ratelimit.LocalRateLimiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/// The per-socket bound on sends awaiting their answer. The sends' futures are held incomplete,
/// as they are while their commits wait, so the bound is reached deterministically.
class SocketSendsBoundTest {

    @Test
    void sendBeyondTheInFlightBoundIsRefusedAt429AtOnceAndTheOthersStayQueued() {
        List<CompletableFuture<SendMessageResponse>> held = new ArrayList<>();
        var sends = new SocketSends((sender, request) -> {
            var commit = new CompletableFuture<SendMessageResponse>();
            held.add(commit);
            return commit;
        }, new LocalRateLimiter(), new RateLimit(1000, Duration.ofSeconds(1)));
        var device = new DeviceAddress(UUID.randomUUID(), 1);
        var inFlight = new AtomicInteger();
        List<ServerFrame> answers = new ArrayList<>();

        for (long id = 0; id < SocketSends.MAX_IN_FLIGHT; id++) {
            sends.handle(device, new ClientFrame.Send(id, null), inFlight, answers::add);
        }
        assertThat(answers).as("nothing is answered before its commit").isEmpty();
        sends.handle(device, new ClientFrame.Send(999L, null), inFlight, answers::add);

        assertThat(held).hasSize(SocketSends.MAX_IN_FLIGHT);
        assertThat(inFlight.get()).isEqualTo(SocketSends.MAX_IN_FLIGHT);
        assertThat(answers).singleElement().isInstanceOfSatisfying(ServerFrame.SendResult.class, r -> {
            assertThat(r.id()).isEqualTo(999);
            assertThat(r.status()).isEqualTo(429);
            assertThat(r.error().code()).isEqualTo("too_many_sends_in_flight");
            assertThat(r.error().retryAfterSeconds()).isEqualTo(1);
        });

        // A commit frees its slot: the next send is taken, not refused.
        held.getFirst().complete(new SendMessageResponse(UUID.randomUUID(), 1L));
        assertThat(inFlight.get()).isEqualTo(SocketSends.MAX_IN_FLIGHT - 1);
        sends.handle(device, new ClientFrame.Send(1000L, null), inFlight, answers::add);
        assertThat(held).hasSize(SocketSends.MAX_IN_FLIGHT + 1);
        assertThat(answers).hasSize(2).last().isInstanceOfSatisfying(ServerFrame.SendResult.class, r -> {
            assertThat(r.id()).isEqualTo(0);
            assertThat(r.status()).isEqualTo(200);
        });
    }
}
