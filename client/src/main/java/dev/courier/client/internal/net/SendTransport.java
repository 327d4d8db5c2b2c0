package dev.courier.client.internal.net;

import dev.courier.client.CourierException;
import dev.courier.protocol.SendMessageRequest;
import dev.courier.protocol.ServerFrame;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/// How a send reaches the server: as a `send` frame on the delivery socket while it is connected
/// (docs/API.md §8 "Sending over the socket"), which costs no HTTP request, and by
/// `POST /v1/messages` otherwise. Either way the answer means the same ([ServerApi#sendResult]).
///
/// A socket send that gets no answer (the socket ended, the frame could not be written, the server
/// sent an `error` frame, which names no send, or [#ANSWER_TIMEOUT] passed) is sent again by
/// `POST`, with the same `messageId`. That is safe because sends are idempotent by `messageId`
/// across both paths: if the server stored the first attempt, the `POST` queues nothing and gets
/// the first attempt's answer (docs/API.md §7 "The send contract", point 4).
public final class SendTransport {
    /// As long as a `POST` waits for its answer.
    static final Duration ANSWER_TIMEOUT = ServerApi.REQUEST_TIMEOUT;
    /// The server's answer when this socket already has 256 sends awaiting theirs.
    private static final String TOO_MANY_IN_FLIGHT = "too_many_sends_in_flight";

    private final DeliveryConnection socket;
    private final ServerApi api;

    public SendTransport(DeliveryConnection socket, ServerApi api) {
        this.socket = socket;
        this.api = api;
    }

    /// Sends `request` and returns what the server answered, exactly as [ServerApi#send] does.
    public ServerApi.SendResult send(SendMessageRequest request) {
        Optional<ServerFrame.SendResult> answer = socket.send(request).flatMap(SendTransport::await);
        // `429 too_many_sends_in_flight` is about this socket, not the account, and nothing was
        // stored. The outbox sends one message at a time, so this client should never meet it;
        // if it does, `POST` (under the same per-account rate limit) takes the send at once,
        // where waiting would guess at when the socket's other sends finish.
        if (answer.isPresent() && !isTooManyInFlight(answer.get())) {
            var a = answer.get();
            return api.sendResult(request.recipient(), a.status(), a.result(), a.error());
        }
        return api.send(request);
    }

    /// The answer, or empty if none came: the socket ended first, or [#ANSWER_TIMEOUT] passed.
    private static Optional<ServerFrame.SendResult> await(CompletableFuture<ServerFrame.SendResult> answer) {
        try {
            return Optional.of(answer.get(ANSWER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        } catch (ExecutionException e) {
            return Optional.empty();
        } catch (TimeoutException e) {
            // Stop waiting for it: a late answer is then dropped.
            answer.cancel(false);
            return Optional.empty();
        } catch (InterruptedException e) {
            answer.cancel(false);
            Thread.currentThread().interrupt();
            throw new CourierException.ServerUnreachable("interrupted while waiting for the server's answer", e);
        }
    }

    private static boolean isTooManyInFlight(ServerFrame.SendResult answer) {
        return answer.status() == 429 && answer.error() != null && TOO_MANY_IN_FLIGHT.equals(answer.error().code());
    }
}
