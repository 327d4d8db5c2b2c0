package dev.courier.client;

import java.util.UUID;

/// Someone this device has talked to. `identityChanged` is true while a changed safety number
/// waits for the user to accept it.
public record Contact(UUID accountId, String username, boolean identityChanged) {}
