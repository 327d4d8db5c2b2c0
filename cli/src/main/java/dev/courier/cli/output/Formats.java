package dev.courier.cli.output;

import dev.courier.client.Message;
import dev.courier.client.MessageStatus;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;

/// How messages, statuses and times look, the same in every command.
public final class Formats {
    private static final DateTimeFormatter TODAY = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT);
    private static final DateTimeFormatter OTHER_DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT);

    private Formats() {}

    /// Status marks as messengers show them: ✓ on the server, ✓✓ on the recipient's device, then read.
    public static String mark(MessageStatus status) {
        return switch (status) {
            case PENDING -> "… (in the outbox)";
            case UNTRUSTED -> "held (safety number changed)";
            case FAILED -> "✗ refused by the server";
            case SENT -> "✓";
            case EXPIRED -> "✗ expired undelivered";
            case DELIVERED -> "✓✓";
            case READ -> "✓✓ read";
        };
    }

    /// `[12:03] bob: Hello!` for an incoming message, `[12:03] you: Hi!  ✓✓` for an outgoing one
    /// (`you → bob: Hi!  ✓✓` with `showPeer`, where the conversation is not otherwise clear).
    public static String line(Message m, boolean showPeer) {
        String time = "[" + time(m.timestamp()) + "] ";
        if (m.outgoing()) return time + (showPeer ? "you → " + who(m) : "you") + ": " + m.body() + "  " + mark(m.status());
        return time + who(m) + ": " + m.body();
    }

    public static String who(Message m) {
        return m.peerName() != null ? m.peerName() : m.peer().toString();
    }

    /// A message as `--json` prints it.
    public static Map<String, Object> json(String type, Message m) {
        return Output.fields("type", type, "id", m.id().toString(), "direction", m.outgoing() ? "out" : "in",
                m.outgoing() ? "to" : "from", who(m), "peerId", m.peer().toString(), "text", m.body(),
                "timestamp", Instant.ofEpochMilli(m.timestamp()).toString(), "status", m.status().name());
    }

    /// Local time of day for today's messages, with the date otherwise.
    public static String time(long epochMillis) {
        ZonedDateTime t = Instant.ofEpochMilli(epochMillis).atZone(ZoneId.systemDefault());
        return (t.toLocalDate().equals(LocalDate.now(t.getZone())) ? TODAY : OTHER_DAY).format(t);
    }

    /// Nanoseconds as milliseconds with two decimals: `0.42 ms`.
    public static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.2f ms", nanos / 1_000_000.0);
    }

    public static double millisValue(long nanos) {
        return Math.round(nanos / 10_000.0) / 100.0;
    }
}
