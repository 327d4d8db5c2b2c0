package dev.courier.server.keys;

import dev.courier.protocol.DeviceBundle;
import dev.courier.protocol.DeviceKeys;
import dev.courier.protocol.KeyCountResponse;
import dev.courier.protocol.PreKey;
import dev.courier.protocol.PreKeyBundleResponse;
import dev.courier.protocol.SignedPreKey;
import dev.courier.protocol.UploadKeysRequest;
import dev.courier.server.ServiceException;
import dev.courier.server.accounts.Account;
import dev.courier.server.accounts.AccountStore;
import dev.courier.server.accounts.Device;
import dev.courier.server.accounts.DeviceAddress;
import dev.courier.server.config.ServerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/// The key directory: devices publish keys here and senders fetch bundles from it.
public final class KeyService {
    private final AccountStore accounts;
    private final OneTimeKeyStore oneTimeKeys;
    private final ServerConfig.Keys config;

    public KeyService(AccountStore accounts, OneTimeKeyStore oneTimeKeys, ServerConfig.Keys config) {
        this.accounts = accounts;
        this.oneTimeKeys = oneTimeKeys;
        this.config = config;
    }

    /// Validates the optional first batches that come with a new device. They must also fit the
    /// per-device cap, or the device would be created and its keys then refused.
    public void checkInitialOneTimeKeys(List<PreKey> preKeys, List<SignedPreKey> pqPreKeys) {
        checkOneTimeKeys(preKeys, pqPreKeys);
        if (size(preKeys) > config.maxStoredPerDevice() || size(pqPreKeys) > config.maxStoredPerDevice()) {
            throw ServiceException.badRequest("too_many_keys", "a device may store at most "
                    + config.maxStoredPerDevice() + " one-time keys of each kind");
        }
    }

    private void checkOneTimeKeys(List<PreKey> preKeys, List<SignedPreKey> pqPreKeys) {
        checkBatch("preKeys", preKeys);
        checkBatch("pqPreKeys", pqPreKeys);
        if (preKeys != null) preKeys.forEach(k -> KeyFormat.checkPreKey("preKeys[]", k));
        if (pqPreKeys != null) pqPreKeys.forEach(k -> KeyFormat.checkKyberKey("pqPreKeys[]", k));
    }

    public void storeInitialOneTimeKeys(DeviceAddress device, DeviceKeys keys) {
        storeOneTimeKeys(device, keys.preKeys(), keys.pqPreKeys());
    }

    public void upload(DeviceAddress device, UploadKeysRequest request) {
        if (request == null || (request.signedPreKey() == null && request.pqLastResortPreKey() == null
                && size(request.preKeys()) == 0 && size(request.pqPreKeys()) == 0)) {
            throw ServiceException.badRequest("invalid_request", "name at least one of signedPreKey, pqLastResortPreKey, preKeys, pqPreKeys");
        }
        if (request.signedPreKey() != null) KeyFormat.checkSignedEcKey("signedPreKey", request.signedPreKey());
        if (request.pqLastResortPreKey() != null) KeyFormat.checkKyberKey("pqLastResortPreKey", request.pqLastResortPreKey());
        checkOneTimeKeys(request.preKeys(), request.pqPreKeys());
        // One-time keys first: they are what can be refused (the per-device cap), and a refused
        // upload must change nothing, rotation included.
        storeOneTimeKeys(device, request.preKeys(), request.pqPreKeys());
        if (request.signedPreKey() != null || request.pqLastResortPreKey() != null) {
            accounts.updateSignedKeys(device, request.signedPreKey(), request.pqLastResortPreKey());
        }
    }

    public KeyCountResponse count(DeviceAddress device) {
        OneTimeKeyStore.KeyCounts counts = oneTimeKeys.count(device);
        return new KeyCountResponse(counts.preKeys(), counts.pqPreKeys());
    }

    /// One bundle per device of `account` (or only `deviceId`, when given), consuming one one-time
    /// key of each kind per device. Without one-time Kyber keys left, the last-resort key stands in.
    public PreKeyBundleResponse bundles(Account account, Integer deviceId) {
        List<Device> devices = accounts.devices(account.id()).stream()
                .filter(d -> deviceId == null || d.deviceId() == deviceId)
                .toList();
        if (devices.isEmpty()) {
            throw ServiceException.notFound("device_not_found", "no such device");
        }
        List<DeviceAddress> addresses = devices.stream().map(d -> new DeviceAddress(account.id(), d.deviceId())).toList();
        Map<DeviceAddress, OneTimeKeyStore.Taken> taken = oneTimeKeys.take(addresses);
        List<DeviceBundle> bundles = new ArrayList<>(devices.size());
        for (Device d : devices) {
            OneTimeKeyStore.Taken t = Objects.requireNonNull(taken.get(new DeviceAddress(account.id(), d.deviceId())));
            SignedPreKey pq = t.pqPreKey().orElse(d.pqLastResortPreKey());
            bundles.add(new DeviceBundle(d.deviceId(), d.registrationId(), d.identityKey(), d.signedPreKey(),
                    t.preKey().orElse(null), pq, t.pqPreKey().isEmpty()));
        }
        return new PreKeyBundleResponse(account.id(), account.username(), bundles);
    }

    private void storeOneTimeKeys(DeviceAddress device, List<PreKey> preKeys, List<SignedPreKey> pqPreKeys) {
        if (size(preKeys) == 0 && size(pqPreKeys) == 0) return;
        oneTimeKeys.add(device, preKeys == null ? List.of() : preKeys, pqPreKeys == null ? List.of() : pqPreKeys,
                config.maxStoredPerDevice());
    }

    private static int size(List<?> keys) {
        return keys == null ? 0 : keys.size();
    }

    private void checkBatch(String field, List<?> keys) {
        if (keys != null && keys.size() > config.maxPerUpload()) {
            throw ServiceException.tooLarge(field + " has " + keys.size() + " keys; at most " + config.maxPerUpload() + " per upload");
        }
    }
}
