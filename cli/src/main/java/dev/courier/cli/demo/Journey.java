package dev.courier.cli.demo;

import dev.courier.client.ClientListener;
import dev.courier.client.Message;
import dev.courier.client.TraceStep;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/// Records the steps of each message's journey as alice's and bob's clients report them
/// ([ClientListener#onTrace], with epoch-nanosecond times), and bob's arrival of each message.
final class Journey implements ClientListener {
    private final Map<UUID, Map<TraceStep, Long>> steps = new ConcurrentHashMap<>();
    private final Map<UUID, CompletableFuture<Message>> arrivals = new ConcurrentHashMap<>();
    private volatile Runnable beforeNextArrival;

    @Override
    public void onTrace(UUID messageId, TraceStep step, long epochNanos) {
        Map<TraceStep, Long> times = steps.computeIfAbsent(messageId, id -> new EnumMap<>(TraceStep.class));
        synchronized (times) {
            times.put(step, epochNanos);
        }
    }

    @Override
    public void onMessage(Message message) {
        Runnable hook = beforeNextArrival;
        beforeNextArrival = null;
        if (hook != null) hook.run();
        arrival(message.id()).complete(message);
    }

    /// Runs `hook` on the receiving client's thread when the next message arrives, before the
    /// client goes on. The SDK signals its outbox only after this listener returns, so whatever
    /// the hook reads from the server does not yet include the recipient's delivery receipt.
    void beforeNextArrival(Runnable hook) {
        beforeNextArrival = hook;
    }

    /// The message as bob's client stored it, once it has arrived.
    Message awaitArrival(UUID id, Duration timeout) throws InterruptedException, TimeoutException {
        try {
            return arrival(id).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    Map<TraceStep, Long> steps(UUID id) {
        Map<TraceStep, Long> times = steps.getOrDefault(id, Map.of());
        synchronized (times) {
            return Map.copyOf(times);
        }
    }

    private CompletableFuture<Message> arrival(UUID id) {
        return arrivals.computeIfAbsent(id, k -> new CompletableFuture<>());
    }
}
