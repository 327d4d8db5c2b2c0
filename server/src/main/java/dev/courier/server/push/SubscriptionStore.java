package dev.courier.server.push;

import dev.courier.server.accounts.DeviceAddress;
import java.util.Optional;

/// Storage port for push subscriptions: at most one per device, removed with the device.
/// Implementations: `SqlitePushSubscriptionStore`; every one passes `SubscriptionStoreContract`.
public interface SubscriptionStore {

    /// Creates or replaces the device's subscription. False if the device does not exist (any
    /// more): a subscription never outlives its device.
    boolean put(Subscription subscription);

    Optional<Subscription> find(DeviceAddress device);

    /// Removes the device's subscription; false if it had none.
    boolean remove(DeviceAddress device);

    /// Removes the device's subscription only while it still points at `endpoint`. A push service
    /// answering "gone" for an old endpoint must not delete the one the device registered since.
    boolean removeIfEndpoint(DeviceAddress device, String endpoint);
}
