package dev.courier.protocol;

import java.util.UUID;

/// `GET /v1/directory/{recipient}`: who a username or account ID is, without touching any keys.
public record DirectoryEntry(UUID accountId, String username) {}
