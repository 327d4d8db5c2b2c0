package dev.courier.protocol;

/// `POST /v1/devices`: an authenticated device adds another device to its own account.
public record AddDeviceRequest(int registrationId, String deviceName, DeviceKeys keys) {}
