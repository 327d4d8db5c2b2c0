package dev.courier.client.internal.receive;

import dev.courier.client.Message;
import dev.courier.client.MessageStatus;
import dev.courier.client.TraceStep;
import dev.courier.client.internal.Events;
import dev.courier.client.internal.content.Content;
import dev.courier.client.internal.content.ContentCodec;
import dev.courier.client.internal.store.Conversations;
import dev.courier.client.internal.store.DeviceStore;
import dev.courier.client.internal.store.Outbox;
import dev.courier.client.internal.store.SignalStore;
import dev.courier.protocol.Envelope;
import dev.courier.protocol.EnvelopeType;
import dev.courier.protocol.MessageIds;
import dev.courier.protocol.ServerFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.signal.libsignal.protocol.DuplicateMessageException;
import org.signal.libsignal.protocol.SessionCipher;
import org.signal.libsignal.protocol.SignalProtocolAddress;
import org.signal.libsignal.protocol.message.PreKeySignalMessage;
import org.signal.libsignal.protocol.message.SignalMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/// Handles what arrives on the delivery socket, one envelope at a time in queue order (story
/// step 5): decrypt, store, and only then acknowledge.
///
/// Decryption and the history write share one store transaction, so the ratchet never advances
/// without the message being kept: a crash in between leaves both as they were, and the server's
/// redelivery decrypts it again. Undecryptable input is counted, reported and acknowledged, so it
/// never blocks the queue.
public final class Receiver implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Receiver.class);

    private final DeviceStore db;
    private final SignalStore store;
    private final Conversations conversations;
    private final Outbox outbox;
    private final Events events;
    private final UUID self;
    private final Consumer<UUID> ack;
    private final Runnable afterOutboxChange;
    private final Runnable afterPreKeyUsed;
    private final java.util.function.Function<UUID, java.util.Optional<String>> lookupName;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("courier-receiver").factory());
    private final AtomicLong undecryptable = new AtomicLong();

    public Receiver(DeviceStore db, SignalStore store, Conversations conversations, Outbox outbox, Events events, UUID self,
                    Consumer<UUID> ack, Runnable afterOutboxChange, Runnable afterPreKeyUsed,
                    java.util.function.Function<UUID, java.util.Optional<String>> lookupName) {
        this.db = db;
        this.store = store;
        this.conversations = conversations;
        this.outbox = outbox;
        this.events = events;
        this.self = self;
        this.ack = ack;
        this.afterOutboxChange = afterOutboxChange;
        this.afterPreKeyUsed = afterPreKeyUsed;
        this.lookupName = lookupName;
    }

    public long undecryptableCount() {
        return undecryptable.get();
    }

    /// Called from the socket's thread: queue the frame for the single worker, keeping order.
    public void onFrame(ServerFrame frame) {
        worker.execute(() -> {
            try {
                switch (frame) {
                    case ServerFrame.Deliver d -> handle(d.envelope());
                    case ServerFrame.QueueEmpty q -> events.onQueueEmpty();
                    case ServerFrame.Error e -> log.warn("the server rejected a frame: {} {}", e.code(), e.message());
                    // DeliveryConnection completes this client's socket sends with their answers
                    // itself, so none should ever come here.
                    case ServerFrame.SendResult r -> log.warn("an answer to a socket send this client did not make: {}", r.id());
                }
            } catch (RuntimeException e) {
                // A local storage failure: leave the envelope unacknowledged so it comes again.
                log.error("could not process an envelope; it stays on the server", e);
            }
        });
    }

    /// What a processed envelope produced, to announce after the commit.
    private record Outcome(Message newMessage, UUID messageId, List<UUID> advanced, MessageStatus advancedTo, boolean queuedReceipt) {
        static final Outcome NOTHING = new Outcome(null, null, List.of(), null, false);
    }

    private void handle(Envelope e) {
        long receivedAt = Events.now();
        if (e.type() == EnvelopeType.EXPIRY_NOTICE) {
            List<UUID> expired = new ArrayList<>();
            for (UUID id : e.expiredMessageIds() == null ? List.<UUID>of() : e.expiredMessageIds()) {
                if (conversations.advance(id, MessageStatus.EXPIRED)) expired.add(id);
            }
            ack.accept(e.guid());
            expired.forEach(id -> events.onStatus(id, MessageStatus.EXPIRED));
            return;
        }
        Outcome outcome;
        try {
            outcome = db.transaction(() -> process(e));
        } catch (DeviceStore.StoreException ex) {
            if (ex.getCause() instanceof DuplicateMessageException) {
                // Decrypted and stored before; only the ack was lost. Acknowledge again.
                ack.accept(e.guid());
                return;
            }
            if (ex.getCause() instanceof java.sql.SQLException) throw ex;
            drop(e, ex.getCause() == null ? ex.toString() : ex.getCause().getMessage());
            return;
        } catch (RuntimeException ex) {
            // libsignal's parsers may fail unchecked on garbage; garbage must not block the queue.
            log.debug("unchecked failure processing an envelope", ex);
            drop(e, ex.toString());
            return;
        }
        long decryptedAt = Events.now();
        ack.accept(e.guid());
        long ackedAt = Events.now();
        if (outcome.messageId() != null) {
            events.onTrace(outcome.messageId(), TraceStep.RECEIVED, receivedAt);
            events.onTrace(outcome.messageId(), TraceStep.DECRYPTED, decryptedAt);
            events.onTrace(outcome.messageId(), TraceStep.ACKNOWLEDGED, ackedAt);
        }
        if (outcome.newMessage() != null) events.onMessage(named(outcome.newMessage()));
        for (UUID id : outcome.advanced()) events.onStatus(id, outcome.advancedTo());
        if (outcome.queuedReceipt()) afterOutboxChange.run();
        if (e.type() == EnvelopeType.PREKEY_MESSAGE) afterPreKeyUsed.run();
    }

    /// A first message from someone new carries only their account ID: ask the server for the
    /// username once (after the ack, so the queue never waits on it), and remember it.
    private Message named(Message m) {
        if (m.peerName() != null) return m;
        String name = lookupName.apply(m.peer()).orElse(null);
        if (name == null) return m;
        conversations.saveContact(m.peer(), name);
        return new Message(m.id(), m.peer(), name, m.outgoing(), m.body(), m.timestamp(), m.status());
    }

    private void drop(Envelope e, String reason) {
        undecryptable.incrementAndGet();
        log.warn("dropped an undecryptable envelope from {}.{}: {}", e.sourceAccount(), e.sourceDevice(), reason);
        ack.accept(e.guid());
        events.onUndecryptable(e.sourceAccount(), reason);
    }

    private Outcome process(Envelope e) throws Exception {
        if (e.sourceAccount() == null || e.sourceDevice() == null || e.content() == null) {
            throw new Undecryptable("an envelope of type " + e.type() + " without sender or content");
        }
        var address = new SignalProtocolAddress(e.sourceAccount().toString(), e.sourceDevice());
        var cipher = new SessionCipher(store, address);
        byte[] plaintext = switch (e.type()) {
            case EnvelopeType.PREKEY_MESSAGE -> cipher.decrypt(new PreKeySignalMessage(e.content()));
            case EnvelopeType.CIPHERTEXT -> cipher.decrypt(new SignalMessage(e.content()));
            default -> throw new Undecryptable("unsupported envelope type " + e.type());
        };
        Content c;
        try {
            c = ContentCodec.decode(plaintext);
        } catch (ContentCodec.MalformedContentException ex) {
            throw new Undecryptable(ex.getMessage());
        }
        if (!c.sender().equals(e.sourceAccount())) {
            throw new Undecryptable("the content claims another sender than the envelope");
        }
        conversations.saveContact(c.sender(), null);
        return switch (c.kind()) {
            case Content.TEXT -> text(c);
            case Content.RECEIPT -> receipt(c);
            default -> new Outcome(null, c.messageId(), List.of(), null, false); // a newer kind: skip it
        };
    }

    private Outcome text(Content c) {
        String body = c.body() == null ? "" : c.body();
        boolean fresh = conversations.addIncoming(c.messageId(), c.sender(), body, c.timestamp());
        if (!fresh) return new Outcome(null, c.messageId(), List.of(), null, false);
        var receipt = Content.receipt(MessageIds.next(), self, c.sender(), System.currentTimeMillis(), Content.DELIVERED,
                List.of(c.messageId()));
        outbox.add(receipt.messageId(), c.sender(), Content.RECEIPT, ContentCodec.encode(receipt));
        var message = new Message(c.messageId(), c.sender(), conversations.username(c.sender()).orElse(null), false, body,
                c.timestamp(), MessageStatus.DELIVERED);
        return new Outcome(message, c.messageId(), List.of(), null, true);
    }

    private Outcome receipt(Content c) {
        MessageStatus to = Content.READ.equals(c.receipt()) ? MessageStatus.READ : MessageStatus.DELIVERED;
        List<UUID> advanced = new ArrayList<>();
        for (UUID id : c.receiptFor() == null ? List.<UUID>of() : c.receiptFor()) {
            // Only the recipient of a message may report on it.
            if (conversations.isOutgoingTo(id, c.sender()) && conversations.advance(id, to)) advanced.add(id);
        }
        return new Outcome(null, null, advanced, to, false);
    }

    /// Input no Courier client produces; dropped and counted.
    static final class Undecryptable extends Exception {
        Undecryptable(String message) {
            super(message);
        }
    }

    @Override
    public void close() {
        worker.shutdown();
        try {
            worker.awaitTermination(3, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
