package dev.courier.protocol;

import java.util.List;

/// `GET /v1/messages`: the oldest pending envelopes, in queue order. `more` says whether further
/// envelopes wait behind these; acknowledge these to see them.
public record PendingMessagesResponse(List<Envelope> envelopes, boolean more) {}
