package dev.courier.cli.demo;

import dev.courier.cli.output.Formats;
import dev.courier.cli.output.Output;
import dev.courier.client.TraceStep;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/// Prints one run of the demo as a timeline: each step of the story with its time since alice's
/// message request, in the story's order (a push may reach bob before alice hears the `200`, and
/// the times show it when it does).
final class RunReport {
    /// One line of the timeline; `at` is null for the server's online/offline check, which has no
    /// client-visible time (it happens between the POST and the `200`).
    private record Row(String key, String name, Long at, String detail, Map<String, Object> extra) {}

    private RunReport() {}

    static void print(Output out, Run run, String title) {
        out.text("");
        out.text(title);
        for (Row row : rows(run)) {
            Map<String, Object> json = Output.fields("type", "demo_step", "run", run.key(), "step", row.name(), "key", row.key(),
                    "atMs", row.at() == null ? null : Formats.millisValue(row.at() - run.start()), "epochNanos", row.at(),
                    "detail", row.detail());
            json.putAll(row.extra());
            String time = row.at() == null ? "—" : "+" + Formats.millis(row.at() - run.start());
            out.emit(json, String.format(Locale.ROOT, "  %12s  %-21s %s", time, row.name(), row.detail()));
        }
        long total = run.end() - run.start();
        out.emit(Output.fields("type", "demo_run", "run", run.key(), "messageId", run.messageId().toString(),
                        "totalMs", Formats.millisValue(total),
                        "offlineMs", run.cameOnlineAt() == null ? null : Formats.millisValue(run.cameOnlineAt() - run.at(TraceStep.STORED_BY_SERVER))),
                String.format(Locale.ROOT, "  %12s  %s", Formats.millis(total), "total, from " + run.sender() + "'s message request to " + run.recipient() + "'s acknowledgement"));
    }

    private static List<Row> rows(Run run) {
        String alice = run.sender();
        String bob = run.recipient();
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("message_request", "message request", run.at(TraceStep.REQUEST_CREATED),
                alice + "'s client builds the message request (ID " + run.messageId().toString().substring(0, 8) + "…, to " + bob
                        + ") and puts it in its outbox", Map.of()));
        rows.add(new Row("encryption", "encryption", run.at(TraceStep.ENCRYPTED), run.firstMessage()
                ? "first message to " + bob + ": fetch his pre-key bundle, PQXDH handshake (X25519 + Kyber-1024), Double Ratchet encrypt"
                : "Double Ratchet encrypt on the session from run 1 (no handshake)", Map.of()));
        rows.add(new Row("post", "POST", run.at(TraceStep.POSTED), "POST /v1/messages leaves " + alice + "'s device with the ciphertext", Map.of()));
        rows.add(new Row("server_store", "server store (200)", run.at(TraceStep.STORED_BY_SERVER),
                "the server has it on disk (fsync'd) and answered 200: " + alice + " sees ✓", Map.of()));
        rows.add(check(run, bob));
        if (run.cameOnlineAt() != null) {
            rows.add(new Row("comes_online", "bob comes online", run.cameOnlineAt(),
                    bob + "'s device opens and connects its WebSocket", Map.of()));
        }
        rows.add(new Row("push", "push", run.at(TraceStep.RECEIVED), run.online()
                ? "the server pushes the envelope down " + bob + "'s open WebSocket"
                : "the server sends the held envelope as soon as " + bob + " connects", Map.of()));
        rows.add(new Row("decryption", "decryption", run.at(TraceStep.DECRYPTED),
                bob + "'s client decrypts it: \"" + run.decrypted() + "\"", Map.of()));
        rows.add(new Row("acknowledgement", "acknowledgement", run.at(TraceStep.ACKNOWLEDGED),
                bob + " stored it and acknowledged it; the server deletes its copy", Map.of()));
        return rows;
    }

    /// The server's decision, read from its counters: which one moved while it handled the send.
    private static Row check(Run run, String bob) {
        DeliveryCounters d = run.counters();
        String branch;
        String detail;
        if (d.online() >= 1 && d.offline() == 0) {
            branch = "online";
            detail = bob + " has a live WebSocket → push now (" + DeliveryCounters.ONLINE + " +" + d.online() + ")";
        } else if (d.offline() >= 1 && d.online() == 0) {
            branch = "offline";
            detail = bob + " has no connection → keep it queued for him (" + DeliveryCounters.OFFLINE + " +" + d.offline() + ")";
        } else {
            branch = "unclear";
            detail = "the server's counters moved online +" + d.online() + ", offline +" + d.offline()
                    + " (other traffic on the server blurs which branch this message took)";
        }
        return new Row("online_offline_check", "online/offline check", null, detail,
                Output.fields("branch", branch, "onlineDelta", d.online(), "offlineDelta", d.offline()));
    }
}
