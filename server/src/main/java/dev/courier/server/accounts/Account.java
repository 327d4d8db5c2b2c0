package dev.courier.server.accounts;

import java.util.UUID;

/// An account. The username is stored normalised to lower case.
public record Account(UUID id, String username, long createdAt) {}
