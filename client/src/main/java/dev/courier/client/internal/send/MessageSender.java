package dev.courier.client.internal.send;

import dev.courier.client.CourierException;
import dev.courier.client.TraceStep;
import dev.courier.client.internal.Events;
import dev.courier.client.internal.net.SendTransport;
import dev.courier.client.internal.net.ServerApi;
import dev.courier.client.internal.store.Conversations;
import dev.courier.client.internal.store.DeviceStore;
import dev.courier.client.internal.store.SignalStore;
import dev.courier.protocol.DeviceBundle;
import dev.courier.protocol.OutgoingMessage;
import dev.courier.protocol.PreKeyBundleResponse;
import dev.courier.protocol.SendMessageRequest;
import dev.courier.protocol.SendMessageResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.signal.libsignal.protocol.IdentityKey;
import org.signal.libsignal.protocol.InvalidKeyException;
import org.signal.libsignal.protocol.SessionBuilder;
import org.signal.libsignal.protocol.SessionCipher;
import org.signal.libsignal.protocol.SignalProtocolAddress;
import org.signal.libsignal.protocol.UntrustedIdentityException;
import org.signal.libsignal.protocol.ecc.ECPublicKey;
import org.signal.libsignal.protocol.kem.KEMPublicKey;
import org.signal.libsignal.protocol.message.CiphertextMessage;
import org.signal.libsignal.protocol.state.PreKeyBundle;

/// Encrypts one plaintext for every device of a recipient and sends it (over the delivery socket
/// when it is connected, else by `POST`; see [SendTransport]), correcting the device set when the
/// server answers `409` or `410` (story steps 2 and 3).
public final class MessageSender {
    /// Device sets rarely change twice during one send; more rounds mean something is wrong.
    private static final int MAX_ROUNDS = 5;

    private final ServerApi api;
    private final SendTransport transport;
    private final DeviceStore db;
    private final SignalStore store;
    private final Conversations conversations;
    private final Events events;

    public MessageSender(ServerApi api, SendTransport transport, DeviceStore db, SignalStore store, Conversations conversations,
                         Events events) {
        this.api = api;
        this.transport = transport;
        this.db = db;
        this.store = store;
        this.conversations = conversations;
        this.events = events;
    }

    public SendMessageResponse send(UUID messageId, UUID recipient, byte[] padded, long timestamp) {
        String name = recipient.toString();
        for (int round = 0; round < MAX_ROUNDS; round++) {
            if (store.sessionDevices(name).isEmpty()) startSessions(api.bundles(name));
            renewUnusableSessions(recipient);
            List<OutgoingMessage> ciphertexts = encrypt(name, padded);
            events.onTrace(messageId, TraceStep.ENCRYPTED, Events.now());
            events.onTrace(messageId, TraceStep.POSTED, Events.now());
            var result = transport.send(new SendMessageRequest(name, messageId, timestamp, ciphertexts));
            switch (result) {
                case ServerApi.SendResult.Accepted accepted -> {
                    events.onTrace(messageId, TraceStep.STORED_BY_SERVER, Events.now());
                    return accepted.response();
                }
                case ServerApi.SendResult.Mismatched m -> {
                    for (int d : m.extra()) store.deleteSession(new SignalProtocolAddress(name, d));
                    for (int d : m.missing()) startSessions(api.bundle(recipient, d));
                }
                case ServerApi.SendResult.Stale s -> {
                    for (int d : s.stale()) {
                        store.deleteSession(new SignalProtocolAddress(name, d));
                        startSessions(api.bundle(recipient, d));
                    }
                }
            }
        }
        throw new CourierException("the recipient's devices kept changing while sending; will retry");
    }

    /// libsignal refuses to encrypt on a session whose sending chain is gone or has seen no reply
    /// for a long time (30 days); such a device gets a fresh session from a new bundle.
    private void renewUnusableSessions(UUID recipient) {
        String name = recipient.toString();
        java.time.Instant now = java.time.Instant.now();
        for (int device : store.sessionDevices(name)) {
            var address = new SignalProtocolAddress(name, device);
            var record = store.loadSession(address);
            if (record == null || !record.hasSenderChain(now)) {
                store.deleteSession(address);
                startSessions(api.bundle(recipient, device));
            }
        }
    }

    private List<OutgoingMessage> encrypt(String name, byte[] padded) {
        return db.transaction(() -> {
            List<OutgoingMessage> out = new ArrayList<>();
            for (int device : store.sessionDevices(name)) {
                var cipher = new SessionCipher(store, new SignalProtocolAddress(name, device));
                try {
                    CiphertextMessage c = cipher.encrypt(padded);
                    out.add(new OutgoingMessage(device, cipher.getRemoteRegistrationId(), c.getType(), c.serialize()));
                } catch (UntrustedIdentityException e) {
                    throw new CourierException.UntrustedIdentity(displayName(name));
                }
            }
            return out;
        });
    }

    /// PQXDH: builds a session with each device of the bundle. libsignal checks the signed
    /// pre-key's and the Kyber key's signatures against the identity key.
    private void startSessions(PreKeyBundleResponse response) {
        conversations.saveContact(response.accountId(), response.username());
        String name = response.accountId().toString();
        for (DeviceBundle b : response.devices()) {
            IdentityKey identity;
            PreKeyBundle bundle;
            try {
                identity = new IdentityKey(b.identityKey());
                bundle = new PreKeyBundle(b.registrationId(), b.deviceId(),
                        b.preKey() == null ? PreKeyBundle.NULL_PRE_KEY_ID : b.preKey().keyId(),
                        b.preKey() == null ? null : new ECPublicKey(b.preKey().publicKey()),
                        b.signedPreKey().keyId(), new ECPublicKey(b.signedPreKey().publicKey()), b.signedPreKey().signature(),
                        identity, b.pqPreKey().keyId(), new KEMPublicKey(b.pqPreKey().publicKey()), b.pqPreKey().signature());
            } catch (InvalidKeyException e) {
                throw new CourierException("the server sent an invalid key for " + displayName(name) + "." + b.deviceId(), e);
            }
            var address = new SignalProtocolAddress(name, b.deviceId());
            try {
                db.transaction(() -> {
                    new SessionBuilder(store, address).process(bundle);
                    return null;
                });
            } catch (DeviceStore.StoreException e) {
                if (e.getCause() instanceof UntrustedIdentityException) {
                    // Record the new key as changed, so the user can compare and accept it.
                    store.recordIdentity(name, identity);
                    throw new CourierException.UntrustedIdentity(displayName(name));
                }
                if (e.getCause() instanceof InvalidKeyException) {
                    throw new CourierException("the keys of " + displayName(name) + " failed their signature check", e.getCause());
                }
                throw e;
            }
        }
    }

    private String displayName(String accountId) {
        return conversations.username(UUID.fromString(accountId)).orElse(accountId);
    }
}
