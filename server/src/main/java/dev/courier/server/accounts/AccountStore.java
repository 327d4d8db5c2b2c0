package dev.courier.server.accounts;

import dev.courier.protocol.SignedPreKey;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/// Storage port for accounts, their devices and registration tokens.
/// Implementations: `SqliteAccountStore`, `PostgresAccountStore`; every one passes `AccountStoreContract`.
public interface AccountStore {

    /// Creates an account with device 1. When `registrationTokenHash` is present, one use of that
    /// token is consumed in the same transaction, so a refused registration never spends a use.
    ///
    /// @throws dev.courier.server.ServiceException `409 username_taken`, or `403 invalid_registration_token`
    Account create(UUID accountId, String username, NewDevice firstDevice, Optional<byte[]> registrationTokenHash, long now);

    Optional<Account> findById(UUID accountId);

    Optional<Account> findByUsername(String normalisedUsername);

    /// Adds a device with the next unused ID (IDs are never reused, so a stale session can never
    /// reach a new device).
    ///
    /// @throws dev.courier.server.ServiceException `409 too_many_devices` when the account already has `maxDevices`
    int addDevice(UUID accountId, NewDevice device, int maxDevices, long now);

    /// Removes a device with its queue and keys. False if it did not exist.
    boolean removeDevice(DeviceAddress device);

    List<Device> devices(UUID accountId);

    Optional<DeviceCredential> credential(DeviceAddress device);

    /// Replaces the signed EC pre-key and/or the last-resort Kyber pre-key; a null argument keeps the current one.
    void updateSignedKeys(DeviceAddress device, SignedPreKey signedPreKey, SignedPreKey pqLastResortPreKey);

    void touch(DeviceAddress device, long now);

    void createRegistrationToken(byte[] tokenHash, int uses, Long expiresAt, long now);
}
