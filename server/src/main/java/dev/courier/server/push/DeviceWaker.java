package dev.courier.server.push;

import dev.courier.server.accounts.DeviceAddress;

/// The seam where wake-up pushes go: called, after the commit, for each device that received an
/// envelope while it had no live connection. Implementations must return at once and never block
/// a send; they queue their network work elsewhere.
///
/// Web Push / UnifiedPush (RFC 8030, 8291, 8292) is the first provider to come; FCM and APNs would
/// be others behind the same interface.
@FunctionalInterface
public interface DeviceWaker {
    void wake(DeviceAddress device);
}
