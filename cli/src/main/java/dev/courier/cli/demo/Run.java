package dev.courier.cli.demo;

import dev.courier.client.TraceStep;
import java.util.Map;
import java.util.UUID;

/// One play of the story: what was measured for one message.
///
/// @param online       whether bob was connected when alice sent
/// @param sender       alice's username; `recipient` is bob's
/// @param steps        the client-visible steps and their epoch-nanosecond times
/// @param counters     how the server's delivery counters moved while it handled the send
/// @param cameOnlineAt for the offline run, when bob's device started coming online (epoch nanos)
/// @param decrypted    the text bob's client decrypted
record Run(boolean online, UUID messageId, String sender, String recipient, Map<TraceStep, Long> steps, DeliveryCounters counters,
           Long cameOnlineAt, String decrypted, boolean firstMessage) {

    String key() {
        return online ? "online" : "offline";
    }

    long start() {
        return at(TraceStep.REQUEST_CREATED);
    }

    long end() {
        return at(TraceStep.ACKNOWLEDGED);
    }

    long at(TraceStep step) {
        Long t = steps.get(step);
        if (t == null) throw new IllegalStateException("the client reported no " + step + " step for message " + messageId);
        return t;
    }
}
