package dev.courier.client;

import dev.courier.client.internal.store.DeviceStore;
import dev.courier.client.internal.store.LocalState;
import dev.courier.client.internal.store.SignalStore;
import dev.courier.protocol.OutgoingMessage;
import dev.courier.server.testing.TestClient;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.signal.libsignal.protocol.SessionCipher;
import org.signal.libsignal.protocol.SignalProtocolAddress;
import org.signal.libsignal.protocol.message.CiphertextMessage;

/// A closed client's device, driven by hand: encrypts any plaintext with its real sessions and
/// posts it through the raw HTTP API, as a buggy or hostile client could.
final class RawSender implements AutoCloseable {
    private final DeviceStore db;
    private final SignalStore store;
    private final TestClient api;
    private final TestClient.Device me;

    /// The client of `deviceDir` must be closed (one user of a device store at a time).
    RawSender(Path deviceDir, String baseUrl) {
        this.me = Devices.raw(deviceDir);
        this.db = DeviceStore.open(deviceDir, false);
        this.store = new SignalStore(db, new LocalState(db), name -> {});
        this.api = new TestClient(baseUrl);
    }

    TestClient.Device device() {
        return me;
    }

    /// Encrypts `plaintext` for device `deviceId` of `peer` with the existing session.
    OutgoingMessage encrypt(UUID peer, int deviceId, byte[] plaintext) throws Exception {
        var cipher = new SessionCipher(store, new SignalProtocolAddress(peer.toString(), deviceId));
        CiphertextMessage c = cipher.encrypt(plaintext);
        return new OutgoingMessage(deviceId, cipher.getRemoteRegistrationId(), c.getType(), c.serialize());
    }

    /// Posts `message` to `peer` as a new send (a fresh server-side message ID).
    TestClient.Response post(UUID peer, OutgoingMessage message) {
        return api.send(me, peer.toString(), UUID.randomUUID(), List.of(message));
    }

    @Override
    public void close() {
        db.close();
    }
}
