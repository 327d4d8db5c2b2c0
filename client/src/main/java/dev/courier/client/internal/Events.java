package dev.courier.client.internal;

import dev.courier.client.ClientListener;
import dev.courier.client.Message;
import dev.courier.client.MessageStatus;
import dev.courier.client.TraceStep;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/// Fans events out to the registered listeners; a listener that throws never breaks the client.
public final class Events implements ClientListener {
    private static final Logger log = LoggerFactory.getLogger(Events.class);
    private final List<ClientListener> listeners = new CopyOnWriteArrayList<>();

    public void add(ClientListener listener) {
        listeners.add(listener);
    }

    public void remove(ClientListener listener) {
        listeners.remove(listener);
    }

    private void each(java.util.function.Consumer<ClientListener> call) {
        for (ClientListener l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                log.warn("a client listener failed", e);
            }
        }
    }

    @Override
    public void onMessage(Message message) {
        each(l -> l.onMessage(message));
    }

    @Override
    public void onStatus(UUID messageId, MessageStatus status) {
        each(l -> l.onStatus(messageId, status));
    }

    @Override
    public void onIdentityChanged(String user) {
        each(l -> l.onIdentityChanged(user));
    }

    @Override
    public void onUndecryptable(UUID sourceAccount, String reason) {
        each(l -> l.onUndecryptable(sourceAccount, reason));
    }

    @Override
    public void onConnection(boolean connected) {
        each(l -> l.onConnection(connected));
    }

    @Override
    public void onQueueEmpty() {
        each(ClientListener::onQueueEmpty);
    }

    @Override
    public void onTrace(UUID messageId, TraceStep step, long epochNanos) {
        each(l -> l.onTrace(messageId, step, epochNanos));
    }

    /// Now, in nanoseconds since the epoch (microsecond resolution is what the clock gives).
    public static long now() {
        java.time.Instant i = java.time.Instant.now();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }
}
