package dev.courier.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/// A listener that keeps everything a client reports, for tests to wait on and inspect.
final class Recorder implements ClientListener {
    record Status(UUID messageId, MessageStatus status) {}

    record Undecryptable(UUID source, String reason) {}

    record Trace(UUID messageId, TraceStep step) {}

    private final LinkedBlockingQueue<Message> inbox = new LinkedBlockingQueue<>();
    final List<Message> messages = new CopyOnWriteArrayList<>();
    final List<Status> statuses = new CopyOnWriteArrayList<>();
    final List<String> identityChanges = new CopyOnWriteArrayList<>();
    final List<Undecryptable> undecryptable = new CopyOnWriteArrayList<>();
    final List<Trace> traces = new CopyOnWriteArrayList<>();
    final AtomicInteger queueEmpties = new AtomicInteger();

    static Recorder on(CourierClient client) {
        var r = new Recorder();
        client.addListener(r);
        return r;
    }

    @Override
    public void onMessage(Message message) {
        messages.add(message);
        inbox.add(message);
    }

    @Override
    public void onStatus(UUID messageId, MessageStatus status) {
        statuses.add(new Status(messageId, status));
    }

    @Override
    public void onIdentityChanged(String user) {
        identityChanges.add(user);
    }

    @Override
    public void onUndecryptable(UUID sourceAccount, String reason) {
        undecryptable.add(new Undecryptable(sourceAccount, reason));
    }

    @Override
    public void onTrace(UUID messageId, TraceStep step, long epochNanos) {
        traces.add(new Trace(messageId, step));
    }

    @Override
    public void onQueueEmpty() {
        queueEmpties.incrementAndGet();
    }

    /// The next new message, failing the test if none comes within `timeout`.
    Message next(Duration timeout) {
        try {
            Message m = inbox.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(m).as("a message within %s", timeout).isNotNull();
            return m;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    Message next() {
        return next(Duration.ofSeconds(10));
    }

    /// The next message if one comes within `timeout`, else null.
    Message poll(Duration timeout) throws InterruptedException {
        return inbox.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /// The trace steps reported for `id`, in the order they were reported.
    List<TraceStep> tracesOf(UUID id) {
        return traces.stream().filter(t -> t.messageId().equals(id)).map(Trace::step).toList();
    }

    /// The statuses reported for `id`, in the order they were reported.
    List<MessageStatus> statusesOf(UUID id) {
        return statuses.stream().filter(s -> s.messageId().equals(id)).map(Status::status).toList();
    }

    /// The statuses reported for `id` once `last` has been reported (events follow the store
    /// update that [CourierClient#awaitStatus] sees, so they may come a moment later).
    List<MessageStatus> statusesOf(UUID id, MessageStatus last) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> statusesOf(id).contains(last));
        return statusesOf(id);
    }
}
