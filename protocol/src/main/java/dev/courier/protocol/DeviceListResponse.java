package dev.courier.protocol;

import java.util.List;

/// `GET /v1/devices`.
public record DeviceListResponse(java.util.UUID accountId, String username, List<DeviceInfo> devices) {}
