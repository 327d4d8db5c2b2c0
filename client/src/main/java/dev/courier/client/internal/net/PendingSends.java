package dev.courier.client.internal.net;

import dev.courier.protocol.ServerFrame;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/// The sends on one delivery socket that await their `send_result`, by the `id` of their `send`
/// frame (docs/API.md §8 "Sending over the socket"). Answers may come in any order.
///
/// Shared between the threads that send and the socket's listener. Invariants, under the lock:
/// each future is in the map until it completes, by its answer, by [#failWaiting], by [#endAll]
/// or by its caller (a timeout); once [#endAll] has run nothing new is accepted. So no future
/// outlives its socket unanswered, and the map never holds a completed one. Futures complete
/// outside the lock.
final class PendingSends {
    private final Map<Long, CompletableFuture<ServerFrame.SendResult>> byId = new HashMap<>();
    private Throwable ended;

    /// A future for the answer to the send with `id`, already failed if the socket has ended.
    CompletableFuture<ServerFrame.SendResult> expect(long id) {
        var answer = new CompletableFuture<ServerFrame.SendResult>();
        Throwable why;
        synchronized (this) {
            why = ended;
            if (why == null) byId.put(id, answer);
        }
        if (why != null) {
            answer.completeExceptionally(why);
            return answer;
        }
        // However it completes (a caller's timeout too), it no longer waits for an answer.
        answer.whenComplete((result, failure) -> forget(id, answer));
        return answer;
    }

    /// Completes the send the server answered; an answer to nothing (a send whose caller gave up
    /// waiting) is dropped.
    void answer(ServerFrame.SendResult result) {
        CompletableFuture<ServerFrame.SendResult> answer;
        synchronized (this) {
            answer = byId.remove(result.id());
        }
        if (answer != null) answer.complete(result);
    }

    /// Fails the sends that await an answer now, with `why`; later sends are accepted as before.
    /// For an `error` frame: the server could not read one of this socket's frames and cannot say
    /// which, so no waiting send can count on its answer.
    void failWaiting(Throwable why) {
        List<CompletableFuture<ServerFrame.SendResult>> unanswered;
        synchronized (this) {
            unanswered = new ArrayList<>(byId.values());
            byId.clear();
        }
        unanswered.forEach(answer -> answer.completeExceptionally(why));
    }

    /// The socket has ended: fails every unanswered send with `why`, and every later one at once.
    void endAll(Throwable why) {
        synchronized (this) {
            if (ended != null) return;
            ended = why;
        }
        // A send that comes after this point fails in expect(); the ones before it fail here.
        failWaiting(why);
    }

    private synchronized void forget(long id, CompletableFuture<ServerFrame.SendResult> answer) {
        byId.remove(id, answer);
    }
}
