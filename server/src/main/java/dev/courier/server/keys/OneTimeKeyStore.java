package dev.courier.server.keys;

import dev.courier.protocol.PreKey;
import dev.courier.protocol.SignedPreKey;
import dev.courier.server.accounts.DeviceAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/// Storage port for one-time pre-keys, EC and Kyber.
/// Implementations: `SqliteOneTimeKeyStore`, `PostgresOneTimeKeyStore`; every one passes `OneTimeKeyStoreContract`.
public interface OneTimeKeyStore {

    /// Adds one-time EC and Kyber keys in one atomic step; a key ID already stored for the device
    /// is replaced.
    ///
    /// @throws dev.courier.server.ServiceException `400 too_many_keys` if the device would hold more
    ///         than `maxStored` keys of either kind; then nothing of the call is stored
    void add(DeviceAddress device, List<PreKey> preKeys, List<SignedPreKey> pqPreKeys, int maxStored);

    default void addPreKeys(DeviceAddress device, List<PreKey> keys, int maxStored) {
        add(device, keys, List.of(), maxStored);
    }

    default void addPqPreKeys(DeviceAddress device, List<SignedPreKey> keys, int maxStored) {
        add(device, List.of(), keys, maxStored);
    }

    /// The one-time keys handed out for one device by [#take].
    record Taken(Optional<PreKey> preKey, Optional<SignedPreKey> pqPreKey) {}

    /// Removes and returns one EC and one Kyber one-time key (the lowest IDs) for each device, in
    /// one atomic step. Two concurrent calls never return the same key.
    Map<DeviceAddress, Taken> take(List<DeviceAddress> devices);

    KeyCounts count(DeviceAddress device);

    record KeyCounts(int preKeys, int pqPreKeys) {}
}
