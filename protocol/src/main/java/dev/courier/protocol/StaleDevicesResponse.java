package dev.courier.protocol;

import java.util.List;

/// `410` answer to a send that named a device with an out-of-date registration ID: that device was
/// re-registered, so the sender must drop its session and fetch a new bundle.
public record StaleDevicesResponse(String code, String message, List<Integer> staleDevices) {}
