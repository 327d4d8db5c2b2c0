package dev.courier.server.messages;

import dev.courier.server.accounts.DeviceAddress;
import java.util.Set;

/// What one expiry pass did: how many envelopes it deleted, and which sender devices got a notice.
public record ExpiryResult(int expired, Set<DeviceAddress> notified) {}
