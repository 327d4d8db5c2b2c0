package dev.courier.cli.chat;

import dev.courier.cli.output.Formats;
import dev.courier.client.ClientListener;
import dev.courier.client.CourierClient;
import dev.courier.client.Message;
import dev.courier.client.MessageStatus;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jline.reader.LineReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/// What `courier chat` shows above the prompt: the conversation's recent history, incoming
/// messages the moment they arrive, and a status line for each sent message whenever its status
/// moves (✓ sent, ✓✓ delivered, read). Incoming messages are marked read as they are shown, so
/// the other side gets read receipts while the chat is open.
///
/// SDK listener calls arrive on the SDK's threads; printing is serialized on this object.
final class ChatScreen implements ClientListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChatScreen.class);

    private final LineReader reader;
    private final CourierClient client;
    private final String user;
    private final UUID peer;
    private final Set<UUID> shown = ConcurrentHashMap.newKeySet();
    private final Map<UUID, Sent> sent = new ConcurrentHashMap<>();
    private final ExecutorService receipts = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("courier-chat-read").factory());
    private final AtomicBoolean lost = new AtomicBoolean();
    private volatile boolean live;

    /// A message this device sent and the last status shown for it, so a late event never moves it back.
    private static final class Sent {
        final String text;
        MessageStatus status;

        Sent(String text, MessageStatus status) {
            this.text = text;
            this.status = status;
        }
    }

    ChatScreen(LineReader reader, CourierClient client, String user, UUID peer) {
        this.reader = reader;
        this.client = client;
        this.user = user;
        this.peer = peer;
    }

    synchronized void print(String line) {
        reader.printAbove(line);
    }

    /// Shows the recent history, then goes live. Both happen under the screen's lock, so a message
    /// arriving meanwhile is shown exactly once: in the history, or live after it.
    synchronized void showHistory(Supplier<List<Message>> history) {
        for (Message m : history.get()) {
            if (!shown.add(m.id())) continue;
            print(Formats.line(m, false));
            if (m.outgoing()) sent.put(m.id(), new Sent(m.body(), m.status()));
        }
        live = true;
        markReadSoon();
    }

    /// Sends under the screen's lock, so the first status event finds the message registered.
    synchronized void send(String text) {
        Message m = client.send(user, text);
        sent.put(m.id(), new Sent(text, m.status()));
        if (!client.isConnected()) print("(offline: kept in the outbox; it goes out when the server is back)");
    }

    @Override
    public void onMessage(Message m) {
        if (!m.peer().equals(peer)) {
            if (live) print("(new message from " + Formats.who(m) + "; `courier chat " + Formats.who(m) + "` to answer)");
            return;
        }
        synchronized (this) {
            if (!live || !shown.add(m.id())) return;
            print(Formats.line(m, false));
        }
        markReadSoon();
    }

    @Override
    public void onStatus(UUID id, MessageStatus status) {
        Sent s = sent.get(id);
        if (s == null) return;
        synchronized (this) {
            if (!s.status.canMoveTo(status)) return;
            s.status = status;
            print("you: " + s.text + "  " + Formats.mark(status));
        }
    }

    @Override
    public void onIdentityChanged(String who) {
        print("⚠ the safety number with " + who + " has changed; messages to " + who + " are held. Leave the chat, compare it"
                + " with `courier safety-number " + who + "`, then accept it with `courier trust " + who + "`");
    }

    @Override
    public void onConnection(boolean connected) {
        // "Up" can be reported after the history is shown: only a reconnection after a loss is news.
        if (!connected && live && !lost.getAndSet(true)) print("(connection lost; reconnecting...)");
        if (connected && lost.getAndSet(false)) print("(connected again)");
    }

    /// Read receipts go through the outbox; queue them off the SDK's thread.
    private void markReadSoon() {
        receipts.execute(() -> {
            try {
                client.markRead(user);
            } catch (RuntimeException e) {
                log.debug("could not mark the conversation read: {}", e.getMessage());
            }
        });
    }

    @Override
    public void close() {
        receipts.close();
    }
}
