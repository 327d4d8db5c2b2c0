package dev.courier.cli.messaging;

import dev.courier.cli.output.Formats;
import dev.courier.cli.output.Output;
import dev.courier.client.ClientListener;
import dev.courier.client.CourierClient;
import dev.courier.client.Message;
import dev.courier.client.MessageStatus;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/// Prints what arrives while `receive` or `listen` is connected: new messages, receipts for
/// messages this device sent, and safety-number changes, each as it happens.
public final class MessagePrinter implements ClientListener {
    private final Output out;
    private final SentMessages sent;
    private final AtomicInteger messages = new AtomicInteger();
    private final Runnable afterMessage;

    public MessagePrinter(Output out, CourierClient client, Runnable afterMessage) {
        this.out = out;
        this.sent = new SentMessages(client);
        this.afterMessage = afterMessage;
    }

    public int messages() {
        return messages.get();
    }

    @Override
    public void onMessage(Message m) {
        out.emit(Formats.json("message", m), Formats.line(m, true));
        messages.incrementAndGet();
        afterMessage.run();
    }

    @Override
    public void onStatus(UUID id, MessageStatus status) {
        sent.find(id).ifPresentOrElse(m -> {
                    var now = new Message(m.id(), m.peer(), m.peerName(), true, m.body(), m.timestamp(), status);
                    out.emit(Formats.json("status", now), Formats.line(now, true));
                },
                () -> out.emit(Output.fields("type", "status", "id", id.toString(), "status", status.name()),
                        "message " + id + ": " + Formats.mark(status)));
    }

    @Override
    public void onIdentityChanged(String user) {
        out.emit(Output.fields("type", "identity_changed", "user", user),
                "⚠ the safety number with " + user + " has changed; messages to " + user + " wait until you compare it"
                        + " (`courier safety-number " + user + "`) and accept it (`courier trust " + user + "`)");
    }

    @Override
    public void onUndecryptable(UUID sourceAccount, String reason) {
        out.emit(Output.fields("type", "undecryptable", "from", sourceAccount == null ? null : sourceAccount.toString(), "reason", reason),
                "⚠ a message from " + sourceAccount + " could not be decrypted and was dropped (" + reason + ")");
    }
}
