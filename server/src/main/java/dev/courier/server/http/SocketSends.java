package dev.courier.server.http;

import dev.courier.protocol.ClientFrame;
import dev.courier.protocol.SendFailure;
import dev.courier.protocol.SendMessageRequest;
import dev.courier.protocol.SendMessageResponse;
import dev.courier.protocol.ServerFrame;
import dev.courier.server.RateLimitedException;
import dev.courier.server.ServiceException;
import dev.courier.server.accounts.DeviceAddress;
import dev.courier.server.config.RateLimit;
import dev.courier.server.messages.MessageService;
import dev.courier.server.messages.MismatchedDevicesException;
import dev.courier.server.messages.StaleDevicesException;
import dev.courier.server.ratelimit.RateLimiter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/// `send` frames on a delivery socket (docs/API.md §8): the same send as `POST /v1/messages`,
/// by the socket's authenticated device, answered with a `send_result` frame that carries the
/// status and body the `POST` would have had. A connected device so sends without an HTTP
/// request, a credential check and a connection per message.
///
/// A send's checks run on the thread that read its frame (a virtual thread of Jetty's, which may
/// block); then it waits for its group commit without a thread ([MessageService#sendAsync]), so a
/// socket can have many in flight, and its answer goes out from the thread that learns of the
/// commit, matched to the send by `id`: a send in flight holds no parked thread. At most
/// [#MAX_IN_FLIGHT] per socket: beyond that a send is answered `429` at once, which bounds what
/// one connection can make the server hold.
final class SocketSends {
    static final int MAX_IN_FLIGHT = 256;
    private static final Logger log = LoggerFactory.getLogger(SocketSends.class);

    /// Starts a send; [MessageService#sendAsync] in the server.
    @FunctionalInterface
    interface Sender {
        CompletableFuture<SendMessageResponse> send(DeviceAddress sender, SendMessageRequest request);
    }

    private final Sender sender;
    private final RateLimiter limiter;
    private final RateLimit sendLimit;

    SocketSends(Sender sender, RateLimiter limiter, RateLimit sendLimit) {
        this.sender = sender;
        this.limiter = limiter;
        this.sendLimit = sendLimit;
    }

    /// Starts `frame` as `device`'s send and hands its answer to `answer`, at once if it is refused
    /// before it reaches the store, else from the thread that learns of its commit. `inFlight`
    /// counts this socket's unanswered sends.
    void handle(DeviceAddress device, ClientFrame.Send frame, AtomicInteger inFlight, Consumer<ServerFrame> answer) {
        long id = frame.id();
        if (inFlight.incrementAndGet() > MAX_IN_FLIGHT) {
            inFlight.decrementAndGet();
            answer.accept(new ServerFrame.SendResult(id, 429, null, new SendFailure("too_many_sends_in_flight",
                    "at most " + MAX_IN_FLIGHT + " sends may await their answer on one connection", null, null, null, 1L)));
            return;
        }
        CompletableFuture<SendMessageResponse> sent;
        try {
            limiter.acquire("send:" + device.accountId(), sendLimit);
            sent = sender.send(device, frame.message());
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((response, failure) -> {
            inFlight.decrementAndGet();
            answer.accept(failure == null ? new ServerFrame.SendResult(id, 200, response, null) : refused(id, unwrapped(failure)));
        });
    }

    private static Throwable unwrapped(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    /// The status and body `POST /v1/messages` answers the same failure with (see `HttpApi`).
    private static ServerFrame.SendResult refused(long id, Throwable e) {
        SendFailure failure = switch (e) {
            case MismatchedDevicesException m -> new SendFailure(m.code(), m.getMessage(), m.missing(), m.extra(), null, null);
            case StaleDevicesException s -> new SendFailure(s.code(), s.getMessage(), null, null, s.stale(), null);
            case RateLimitedException r -> new SendFailure(r.code(), r.getMessage(), null, null, null, r.retryAfterSeconds());
            case ServiceException s -> SendFailure.of(s.code(), s.getMessage());
            default -> {
                // A bug or an infrastructure failure, never bad input. Log the type and where, not the frame.
                log.error("unexpected failure handling a send over a socket", e);
                yield SendFailure.of("internal_error", "the server failed; the message was not sent");
            }
        };
        int status = e instanceof ServiceException s ? s.status() : 500;
        return new ServerFrame.SendResult(id, status, null, failure);
    }
}
