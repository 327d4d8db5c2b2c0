package dev.courier.client.internal.send;

import dev.courier.client.CourierException;
import dev.courier.client.MessageStatus;
import dev.courier.client.internal.Events;
import dev.courier.client.internal.content.Content;
import dev.courier.client.internal.net.ServerApi;
import dev.courier.client.internal.store.Conversations;
import dev.courier.client.internal.store.Outbox;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/// Sends what the outbox holds, one recipient's messages in order, retrying with backoff until
/// the server has each one. Runs on one virtual thread while the client is open.
public final class OutboxWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OutboxWorker.class);
    private static final long MAX_BACKOFF_MILLIS = 60_000;

    private final Outbox outbox;
    private final MessageSender sender;
    private final Conversations conversations;
    private final Events events;
    private final Semaphore wake = new Semaphore(0);
    private volatile boolean closed;
    private Thread thread;

    public OutboxWorker(Outbox outbox, MessageSender sender, Conversations conversations, Events events) {
        this.outbox = outbox;
        this.sender = sender;
        this.conversations = conversations;
        this.events = events;
    }

    public synchronized void start() {
        if (thread == null) thread = Thread.ofVirtual().name("courier-outbox").start(this::run);
    }

    /// Something was added or released: look at the outbox now.
    public void signal() {
        wake.release();
    }

    private void run() {
        while (!closed) {
            try {
                var due = outbox.due(System.currentTimeMillis());
                for (Outbox.Item item : due) {
                    if (closed) return;
                    process(item);
                }
                if (due.isEmpty()) {
                    long waitMillis = outbox.nextDueAt().map(at -> Math.max(1, at - System.currentTimeMillis())).orElse(60_000L);
                    wake.tryAcquire(Math.min(waitMillis, 60_000L), TimeUnit.MILLISECONDS);
                    wake.drainPermits();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (closed) return;
                log.warn("outbox pass failed; retrying", e);
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void process(Outbox.Item item) {
        boolean text = Content.TEXT.equals(item.kind());
        try {
            sender.send(item.id(), item.recipient(), item.content(), System.currentTimeMillis());
            outbox.remove(item.id());
            if (text && conversations.advance(item.id(), MessageStatus.SENT)) events.onStatus(item.id(), MessageStatus.SENT);
        } catch (CourierException.UntrustedIdentity e) {
            outbox.hold(item.recipient());
            if (text && conversations.advance(item.id(), MessageStatus.UNTRUSTED)) events.onStatus(item.id(), MessageStatus.UNTRUSTED);
        } catch (ServerApi.RateLimited e) {
            outbox.retryLater(item.id(), System.currentTimeMillis() + e.retryAfterSeconds() * 1000);
        } catch (CourierException.Refused e) {
            if (e.status() == 401 || e.status() == 403) {
                // A credential problem is this device's, not the message's: keep it and retry.
                retry(item, e);
            } else {
                fail(item, text, e);
            }
        } catch (CourierException.UnknownUser e) {
            fail(item, text, e);
        } catch (RuntimeException e) {
            retry(item, e);
        }
    }

    /// The server will never take this one: say so instead of retrying forever.
    private void fail(Outbox.Item item, boolean text, CourierException cause) {
        log.warn("dropping outbox item {}: {}", item.id(), cause.getMessage());
        outbox.remove(item.id());
        if (text && conversations.advance(item.id(), MessageStatus.FAILED)) events.onStatus(item.id(), MessageStatus.FAILED);
    }

    private void retry(Outbox.Item item, RuntimeException cause) {
        long backoff = Math.min(MAX_BACKOFF_MILLIS, 500L << Math.min(item.attempts(), 10));
        long jittered = (long) (backoff * (0.5 + ThreadLocalRandom.current().nextDouble()));
        log.debug("send of {} failed ({}); retrying in {} ms", item.id(), cause.getMessage(), jittered);
        outbox.retryLater(item.id(), System.currentTimeMillis() + jittered);
    }

    @Override
    public void close() {
        closed = true;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            try {
                t.join(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
