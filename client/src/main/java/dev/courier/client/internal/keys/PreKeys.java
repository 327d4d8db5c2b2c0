package dev.courier.client.internal.keys;

import dev.courier.client.internal.store.DeviceStore;
import dev.courier.client.internal.store.LocalState;
import dev.courier.client.internal.store.SignalStore;
import dev.courier.protocol.DeviceKeys;
import dev.courier.protocol.PreKey;
import dev.courier.protocol.SignedPreKey;
import java.util.ArrayList;
import java.util.List;
import org.signal.libsignal.protocol.IdentityKeyPair;
import org.signal.libsignal.protocol.ecc.ECKeyPair;
import org.signal.libsignal.protocol.kem.KEMKeyPair;
import org.signal.libsignal.protocol.kem.KEMKeyType;
import org.signal.libsignal.protocol.state.KyberPreKeyRecord;
import org.signal.libsignal.protocol.state.PreKeyRecord;
import org.signal.libsignal.protocol.state.SignedPreKeyRecord;

/// Makes pre-keys, keeps their private halves in the store, and returns the public halves in the
/// server's upload format. Signed and Kyber keys are signed by the identity key over their
/// serialized public key, as PQXDH requires.
public final class PreKeys {
    static final String NEXT_PRE_KEY = "next_pre_key_id";
    static final String NEXT_SIGNED = "next_signed_pre_key_id";
    static final String NEXT_KYBER = "next_kyber_pre_key_id";

    private final DeviceStore db;
    private final SignalStore store;
    private final LocalState local;

    public PreKeys(DeviceStore db, SignalStore store, LocalState local) {
        this.db = db;
        this.store = store;
        this.local = local;
    }

    /// Everything a new device publishes: identity, signed pre-key, last-resort Kyber key and
    /// `oneTime` one-time keys of each kind.
    public DeviceKeys initial(int oneTime) {
        // One transaction: a device's worth of keys costs one fsync, not one per key.
        return db.transaction(() -> new DeviceKeys(local.identityKeyPair().getPublicKey().serialize(), newSignedPreKey(),
                newKyberKey(true), newPreKeys(oneTime), newKyberKeys(oneTime)));
    }

    public SignedPreKey newSignedPreKey() {
        IdentityKeyPair identity = local.identityKeyPair();
        int id = local.takeIds(NEXT_SIGNED, 1);
        ECKeyPair pair = ECKeyPair.generate();
        byte[] pub = pair.getPublicKey().serialize();
        byte[] signature = identity.getPrivateKey().calculateSignature(pub);
        store.storeSignedPreKey(id, new SignedPreKeyRecord(id, System.currentTimeMillis(), pair, signature));
        return new SignedPreKey(id, pub, signature);
    }

    public SignedPreKey newKyberKey(boolean lastResort) {
        IdentityKeyPair identity = local.identityKeyPair();
        int id = local.takeIds(NEXT_KYBER, 1);
        KEMKeyPair pair = KEMKeyPair.generate(KEMKeyType.KYBER_1024);
        byte[] pub = pair.getPublicKey().serialize();
        byte[] signature = identity.getPrivateKey().calculateSignature(pub);
        store.storeKyberPreKey(id, new KyberPreKeyRecord(id, System.currentTimeMillis(), pair, signature), lastResort);
        return new SignedPreKey(id, pub, signature);
    }

    public List<PreKey> newPreKeys(int count) {
        return db.transaction(() -> makePreKeys(count));
    }

    private List<PreKey> makePreKeys(int count) {
        int first = local.takeIds(NEXT_PRE_KEY, count);
        List<PreKey> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int id = (first + i - 1) % 0xFFFFFF + 1;
            ECKeyPair pair = ECKeyPair.generate();
            store.storePreKey(id, new PreKeyRecord(id, pair));
            out.add(new PreKey(id, pair.getPublicKey().serialize()));
        }
        return out;
    }

    public List<SignedPreKey> newKyberKeys(int count) {
        return db.transaction(() -> {
            List<SignedPreKey> out = new ArrayList<>(count);
            for (int i = 0; i < count; i++) out.add(newKyberKey(false));
            return out;
        });
    }
}
