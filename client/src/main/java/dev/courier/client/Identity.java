package dev.courier.client;

import java.net.URI;
import java.util.UUID;

/// Who this device is: its account, its device ID and its server.
public record Identity(UUID accountId, String username, int deviceId, URI server) {}
