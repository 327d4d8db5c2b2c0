package dev.courier.protocol;

import java.util.List;
import java.util.UUID;

/// `GET /v1/keys/{recipient}`: one bundle per device of the account.
public record PreKeyBundleResponse(UUID accountId, String username, List<DeviceBundle> devices) {}
