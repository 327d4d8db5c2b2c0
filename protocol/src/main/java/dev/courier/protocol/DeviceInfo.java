package dev.courier.protocol;

/// One device of the caller's account, as listed by `GET /v1/devices`.
public record DeviceInfo(int deviceId, String name, int registrationId, long createdAt, long lastSeen) {}
