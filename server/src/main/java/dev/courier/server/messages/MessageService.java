package dev.courier.server.messages;

import dev.courier.protocol.EnvelopeType;
import dev.courier.protocol.OutgoingMessage;
import dev.courier.protocol.PendingMessagesResponse;
import dev.courier.protocol.SendMessageRequest;
import dev.courier.protocol.SendMessageResponse;
import dev.courier.server.ServiceException;
import dev.courier.server.accounts.Account;
import dev.courier.server.accounts.AccountService;
import dev.courier.server.accounts.AccountStore;
import dev.courier.server.accounts.Device;
import dev.courier.server.accounts.DeviceAddress;
import dev.courier.server.config.ServerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/// Accepting sends (`POST /v1/messages`) and the REST fallback for reading and acknowledging.
public final class MessageService {
    static final String SENDS = "courier.messages.sent";
    static final String ENVELOPES_QUEUED = "courier.envelopes.queued";
    static final String DUPLICATE_SENDS = "courier.messages.duplicate";
    static final String ACKS = "courier.envelopes.acknowledged";

    /// A client timestamp further than this from the server's clock is refused: it would make
    /// ordering on the recipient's screen meaningless.
    private static final long MAX_CLOCK_SKEW_MILLIS = 7L * 24 * 3600 * 1000;
    private static final int MAX_PENDING_PAGE = 100;

    private final AccountService accountService;
    private final AccountStore accounts;
    private final MessageStore store;
    private final QueueListener listener;
    private final ServerConfig.Messages config;
    private final int maxDevices;
    private final Clock clock;
    private final Counter sends;
    private final Counter envelopesQueued;
    private final Counter duplicates;
    private final Counter acks;

    public MessageService(AccountService accountService, AccountStore accounts, MessageStore store, QueueListener listener,
                          ServerConfig config, Clock clock, MeterRegistry metrics) {
        this.accountService = accountService;
        this.accounts = accounts;
        this.store = store;
        this.listener = listener;
        this.config = config.messages();
        this.maxDevices = config.accounts().maxDevices();
        this.clock = clock;
        this.sends = metrics.counter(SENDS);
        this.envelopesQueued = metrics.counter(ENVELOPES_QUEUED);
        this.duplicates = metrics.counter(DUPLICATE_SENDS);
        this.acks = metrics.counter(ACKS);
    }

    public SendMessageResponse send(DeviceAddress sender, SendMessageRequest request) {
        try {
            return sendAsync(sender, request).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof Error err) throw err;
            throw (RuntimeException) e.getCause();
        }
    }

    /// [#send] without holding the caller's thread while the send commits. The checks run on the
    /// caller's thread; the future completes once the send is durable, or fails with the
    /// exception [#send] would throw, which may come wrapped in a `CompletionException`.
    public CompletableFuture<SendMessageResponse> sendAsync(DeviceAddress sender, SendMessageRequest request) {
        try {
            validate(request);
            // A retry is answered by `store`, which looks the send up inside its transaction; this
            // path reads the send record only when the retry would otherwise be refused.
            Account recipient = accountService.resolve(request.recipient())
                    .orElseThrow(() -> ServiceException.notFound("unknown_recipient", "no account is named '" + request.recipient() + "'"));
            try {
                checkCoversCurrentDevices(sender, recipient, request.messages());
            } catch (MismatchedDevicesException | StaleDevicesException e) {
                // The recipient's devices changed since the first attempt: a retry still gets its
                // first answer, as the idempotency contract says.
                var previous = store.findSent(sender.accountId(), request.messageId());
                if (previous.isEmpty()) throw e;
                duplicates.increment();
                return CompletableFuture.completedFuture(
                        new SendMessageResponse(previous.get().recipient(), previous.get().serverTimestamp()));
            }
            long now = clock.millis();
            List<OutgoingBatch.DeviceCiphertext> ciphertexts = request.messages().stream()
                    .map(m -> new OutgoingBatch.DeviceCiphertext(m.deviceId(), m.type(), m.content()))
                    .toList();
            var batch = new OutgoingBatch(sender.accountId(), sender.deviceId(), recipient.id(), request.messageId(),
                    request.timestamp(), now, now + config.ttl().toMillis(), ciphertexts);
            return store.storeAsync(batch, config.maxQueueDepth()).thenApply(result -> stored(recipient, ciphertexts, result));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /// After a send's commit: counts it and tells the listener which devices to wake.
    private SendMessageResponse stored(Account recipient, List<OutgoingBatch.DeviceCiphertext> ciphertexts,
                                       MessageStore.StoreResult result) {
        SentMessage sent = result.sent();
        if (result.queued()) {
            sends.increment();
            envelopesQueued.increment(ciphertexts.size());
            // A device whose live connection took its envelope from the commit only needs waking.
            var devices = ciphertexts.stream().map(c -> new DeviceAddress(recipient.id(), c.deviceId()))
                    .filter(d -> !result.handedOver().contains(d)).toList();
            if (!devices.isEmpty()) listener.envelopesQueued(devices);
            if (!result.handedOver().isEmpty()) listener.envelopesHandedOver(result.handedOver());
        } else {
            duplicates.increment();
        }
        return new SendMessageResponse(sent.recipient(), sent.serverTimestamp());
    }

    public PendingMessagesResponse pending(DeviceAddress device) {
        List<StoredEnvelope> page = store.pending(device, 0, MAX_PENDING_PAGE + 1);
        boolean more = page.size() > MAX_PENDING_PAGE;
        return new PendingMessagesResponse(
                page.stream().limit(MAX_PENDING_PAGE).map(StoredEnvelope::toWire).toList(), more);
    }

    public void acknowledge(DeviceAddress device, UUID guid) {
        if (!store.acknowledge(device, guid)) {
            throw ServiceException.notFound("envelope_not_found", "no pending envelope " + guid + " for this device");
        }
        acks.increment();
    }

    /// Acknowledgements from live connections, of several devices, deleted in one write: an
    /// unknown GUID (a duplicate ack) is not an error. Returns how many envelopes were deleted.
    public int acknowledgeQuietly(Map<DeviceAddress, ? extends Collection<UUID>> byDevice) {
        int deleted = store.acknowledge(byDevice);
        acks.increment(deleted);
        return deleted;
    }

    private void checkCoversCurrentDevices(DeviceAddress sender, Account recipient, List<OutgoingMessage> messages) {
        boolean toSelf = recipient.id().equals(sender.accountId());
        Map<Integer, Integer> current = new HashMap<>();
        for (Device d : accounts.devices(recipient.id())) {
            if (toSelf && d.deviceId() == sender.deviceId()) continue; // a device does not message itself
            current.put(d.deviceId(), d.registrationId());
        }
        TreeSet<Integer> given = new TreeSet<>();
        for (OutgoingMessage m : messages) given.add(m.deviceId());
        List<Integer> missing = current.keySet().stream().filter(id -> !given.contains(id)).sorted().toList();
        List<Integer> extra = given.stream().filter(id -> !current.containsKey(id)).toList();
        if (!missing.isEmpty() || !extra.isEmpty()) {
            throw new MismatchedDevicesException(missing, extra);
        }
        List<Integer> stale = new ArrayList<>();
        for (OutgoingMessage m : messages) {
            if (current.get(m.deviceId()) != m.registrationId()) stale.add(m.deviceId());
        }
        if (!stale.isEmpty()) {
            stale.sort(null);
            throw new StaleDevicesException(stale);
        }
    }

    private void validate(SendMessageRequest r) {
        if (r == null) throw invalid("body is required");
        if (r.recipient() == null || r.recipient().isBlank()) throw invalid("recipient is required");
        if (r.messageId() == null) throw invalid("messageId (a UUID) is required");
        if (Math.abs(r.timestamp() - clock.millis()) > MAX_CLOCK_SKEW_MILLIS) {
            throw invalid("timestamp must be the sender's clock in epoch milliseconds, within 7 days of the server's");
        }
        if (r.messages() == null || r.messages().isEmpty()) throw invalid("messages must hold one ciphertext per recipient device");
        if (r.messages().size() > maxDevices) throw invalid("messages has more entries than an account can have devices");
        var seen = new TreeSet<Integer>();
        for (OutgoingMessage m : r.messages()) {
            if (m == null) throw invalid("messages must not contain null");
            if (!seen.add(m.deviceId())) throw invalid("device " + m.deviceId() + " appears twice in messages");
            if (!EnvelopeType.CLIENT_TYPES.contains(m.type())) {
                throw invalid("type " + m.type() + " is not one of " + new TreeSet<>(EnvelopeType.CLIENT_TYPES));
            }
            if (m.content() == null || m.content().length == 0) throw invalid("content must not be empty");
            if (m.content().length > config.maxCiphertextSize().bytes()) {
                throw ServiceException.tooLarge("a ciphertext is " + m.content().length + " bytes; at most "
                        + config.maxCiphertextSize().bytes() + " are allowed");
            }
        }
    }

    private static ServiceException invalid(String message) {
        return ServiceException.badRequest("invalid_request", message);
    }
}
