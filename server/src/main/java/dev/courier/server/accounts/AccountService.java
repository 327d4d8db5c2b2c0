package dev.courier.server.accounts;

import dev.courier.protocol.AddDeviceRequest;
import dev.courier.protocol.AddDeviceResponse;
import dev.courier.protocol.CreateRegistrationTokenRequest;
import dev.courier.protocol.DeviceInfo;
import dev.courier.protocol.DeviceKeys;
import dev.courier.protocol.DeviceListResponse;
import dev.courier.protocol.RegisterAccountRequest;
import dev.courier.protocol.RegisterAccountResponse;
import dev.courier.protocol.RegistrationTokenResponse;
import dev.courier.server.ServiceException;
import dev.courier.server.config.ServerConfig;
import dev.courier.server.keys.KeyFormat;
import dev.courier.server.keys.KeyService;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/// Registration, device management and credential checks.
public final class AccountService {
    /// Usernames are 3–32 characters of lower-case letters, digits, `_` and `.`, starting with a
    /// letter, so that they can never be mistaken for an account UUID.
    private static final Pattern USERNAME = Pattern.compile("[a-z][a-z0-9_.]{2,31}");
    private static final int MAX_DEVICE_NAME = 64;
    /// libsignal registration IDs are 14-bit and never 0.
    private static final int MAX_REGISTRATION_ID = 0x3FFF;

    private final AccountStore store;
    private final KeyService keys;
    private final ServerConfig.Accounts config;
    private final Clock clock;
    private final Consumer<DeviceAddress> onDeviceRemoved;

    public AccountService(AccountStore store, KeyService keys, ServerConfig.Accounts config, Clock clock,
                          Consumer<DeviceAddress> onDeviceRemoved) {
        this.store = store;
        this.keys = keys;
        this.config = config;
        this.clock = clock;
        this.onDeviceRemoved = onDeviceRemoved;
    }

    public RegisterAccountResponse register(RegisterAccountRequest request) {
        if (request == null) throw ServiceException.badRequest("invalid_request", "body is required");
        String username = normaliseUsername(request.username());
        Optional<byte[]> tokenHash = Optional.empty();
        if (config.registrationPolicy() == ServerConfig.RegistrationPolicy.TOKEN) {
            if (request.registrationToken() == null || request.registrationToken().isBlank()) {
                throw ServiceException.forbidden("registration_token_required",
                        "this server registers new accounts only with a registration token");
            }
            tokenHash = Optional.of(DeviceCredential.lookupHash(request.registrationToken()));
        }
        DeviceCredential.Issued issued = DeviceCredential.issue();
        NewDevice device = newDevice(request.deviceName(), request.registrationId(), request.keys(), issued.credential());
        Account account = store.create(UUID.randomUUID(), username, device, tokenHash, clock.millis());
        keys.storeInitialOneTimeKeys(new DeviceAddress(account.id(), 1), request.keys());
        return new RegisterAccountResponse(account.id(), account.username(), 1, issued.token());
    }

    public AddDeviceResponse addDevice(DeviceAddress caller, AddDeviceRequest request) {
        if (request == null) throw ServiceException.badRequest("invalid_request", "body is required");
        DeviceCredential.Issued issued = DeviceCredential.issue();
        NewDevice device = newDevice(request.deviceName(), request.registrationId(), request.keys(), issued.credential());
        int deviceId = store.addDevice(caller.accountId(), device, config.maxDevices(), clock.millis());
        keys.storeInitialOneTimeKeys(new DeviceAddress(caller.accountId(), deviceId), request.keys());
        return new AddDeviceResponse(caller.accountId(), deviceId, issued.token());
    }

    /// The primary device (ID 1) may remove any other device; any device may remove itself,
    /// except the primary, which holds the account.
    public void removeDevice(DeviceAddress caller, int deviceId) {
        if (deviceId == 1) {
            throw ServiceException.forbidden("cannot_remove_primary", "the primary device (1) cannot be removed");
        }
        if (caller.deviceId() != 1 && caller.deviceId() != deviceId) {
            throw ServiceException.forbidden("forbidden", "only the primary device can remove other devices");
        }
        DeviceAddress target = new DeviceAddress(caller.accountId(), deviceId);
        if (!store.removeDevice(target)) {
            throw ServiceException.notFound("device_not_found", "this account has no device " + deviceId);
        }
        onDeviceRemoved.accept(target);
    }

    public DeviceListResponse devices(DeviceAddress caller) {
        Account account = store.findById(caller.accountId())
                .orElseThrow(() -> ServiceException.notFound("account_not_found", "account no longer exists"));
        var devices = store.devices(caller.accountId()).stream()
                .map(d -> new DeviceInfo(d.deviceId(), d.name(), d.registrationId(), d.createdAt(), d.lastSeen()))
                .toList();
        return new DeviceListResponse(account.id(), account.username(), devices);
    }

    /// Checks a presented credential. Empty when the device does not exist or the token is wrong;
    /// the two cases are indistinguishable to the caller on purpose.
    public boolean authenticate(DeviceAddress device, String token) {
        return store.credential(device).map(c -> c.verify(token)).orElse(false);
    }

    /// Looks an account up by username or by UUID.
    public Optional<Account> resolve(String recipient) {
        if (recipient == null || recipient.isBlank()) return Optional.empty();
        String r = recipient.trim();
        if (r.length() == 36 && r.charAt(8) == '-') {
            try {
                return store.findById(UUID.fromString(r));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        return store.findByUsername(r.toLowerCase(Locale.ROOT));
    }

    public RegistrationTokenResponse createRegistrationToken(CreateRegistrationTokenRequest request) {
        if (request == null || request.uses() < 1 || request.uses() > 1_000_000) {
            throw ServiceException.badRequest("invalid_request", "uses must be between 1 and 1000000");
        }
        Long expiresAt = null;
        if (request.validForSeconds() != null) {
            if (request.validForSeconds() < 1) throw ServiceException.badRequest("invalid_request", "validForSeconds must be positive");
            expiresAt = clock.millis() + Math.min(request.validForSeconds(), 10L * 365 * 86400) * 1000;
        }
        String token = DeviceCredential.randomToken();
        store.createRegistrationToken(DeviceCredential.lookupHash(token), request.uses(), expiresAt, clock.millis());
        return new RegistrationTokenResponse(token, request.uses(), expiresAt);
    }

    public void touch(DeviceAddress device) {
        store.touch(device, clock.millis());
    }

    static String normaliseUsername(String username) {
        if (username == null) throw ServiceException.badRequest("invalid_username", "username is required");
        String u = username.trim().toLowerCase(Locale.ROOT);
        if (!USERNAME.matcher(u).matches()) {
            throw ServiceException.badRequest("invalid_username",
                    "username must be 3-32 characters: a letter, then letters, digits, '_' or '.'");
        }
        return u;
    }

    private NewDevice newDevice(String name, int registrationId, DeviceKeys keys, DeviceCredential credential) {
        if (registrationId < 1 || registrationId > MAX_REGISTRATION_ID) {
            throw ServiceException.badRequest("invalid_registration_id", "registrationId must be between 1 and " + MAX_REGISTRATION_ID);
        }
        if (name != null && name.length() > MAX_DEVICE_NAME) {
            throw ServiceException.badRequest("invalid_request", "deviceName must be at most " + MAX_DEVICE_NAME + " characters");
        }
        if (keys == null) throw ServiceException.badRequest("invalid_key", "keys are required");
        KeyFormat.checkIdentityKey(keys.identityKey());
        KeyFormat.checkSignedEcKey("signedPreKey", keys.signedPreKey());
        KeyFormat.checkKyberKey("pqLastResortPreKey", keys.pqLastResortPreKey());
        this.keys.checkInitialOneTimeKeys(keys.preKeys(), keys.pqPreKeys());
        return new NewDevice(name, registrationId, credential, keys.identityKey(), keys.signedPreKey(), keys.pqLastResortPreKey());
    }
}
