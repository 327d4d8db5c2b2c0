package dev.courier.protocol;

import java.util.UUID;

/// Answer to adding a device: its ID and its one-time-shown credential.
public record AddDeviceResponse(UUID accountId, int deviceId, String credential) {}
