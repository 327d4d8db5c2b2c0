package dev.courier.server.delivery;

import dev.courier.server.accounts.DeviceAddress;
import java.util.Optional;
import java.util.function.Consumer;

/// Which devices hold a live connection, and how to reach that connection.
///
/// The embedded server keeps this in the process ([LocalPresence]); a cluster keeps it in Redis and
/// forwards [#signal] to the node that holds the socket.
public interface Presence {
    /// Makes `session` the device's live connection. Returns the connection it replaces, which the
    /// caller closes: a device has at most one.
    Optional<DeliverySession> attach(DeliverySession session);

    /// Forgets `session`, unless a newer connection of the same device has replaced it already.
    void detach(DeliverySession session);

    /// Tells the device's live connection that new envelopes wait. False when it has none.
    boolean signal(DeviceAddress device);

    /// The live connection of `device` held by this process, if any.
    Optional<DeliverySession> local(DeviceAddress device);

    int localCount();

    /// Calls `listener` with each device that attaches a connection, after it attached. Push
    /// coalescing uses it: once a device has connected, its next envelope needs a fresh wake-up.
    void onAttach(Consumer<DeviceAddress> listener);
}
