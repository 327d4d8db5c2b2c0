package dev.courier.server.push;

import dev.courier.server.accounts.DeviceAddress;
import dev.courier.server.config.ServerConfig;
import dev.courier.server.push.webpush.VapidKeys;
import dev.courier.server.push.webpush.VapidSigner;
import dev.courier.server.push.webpush.WebPushProvider;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/// The wake-up side of the server, assembled: the [DeviceWaker] that delivery hands offline
/// devices to, and the VAPID public key clients ask for. With `push.enabled=false` the waker only
/// counts and there is no key.
public final class WakeUps implements AutoCloseable {
    private final DeviceWaker waker;
    private final Optional<String> vapidPublicKey;
    private final PushDispatcher dispatcher;
    private final WebPushProvider webPush;

    private WakeUps(DeviceWaker waker, Optional<String> vapidPublicKey, PushDispatcher dispatcher, WebPushProvider webPush) {
        this.waker = waker;
        this.vapidPublicKey = vapidPublicKey;
        this.dispatcher = dispatcher;
        this.webPush = webPush;
    }

    /// @param vapid the server's VAPID keys, loaded or created on first use
    /// @param connected whether a device holds a live connection on this node right now
    public static WakeUps create(ServerConfig.Push config, SubscriptionStore store, Supplier<VapidKeys> vapid,
                                 Predicate<DeviceAddress> connected, Clock clock, MeterRegistry metrics) {
        if (!config.enabled()) return new WakeUps(new NoPushProvider(metrics), Optional.empty(), null, null);
        VapidKeys keys = vapid.get();
        var webPush = new WebPushProvider(new VapidSigner(keys, config.contact(), clock), config);
        var dispatcher = new PushDispatcher(store, List.of(webPush), connected, config, clock, metrics);
        return new WakeUps(dispatcher, Optional.of(keys.publicKeyBase64Url()), dispatcher, webPush);
    }

    public DeviceWaker waker() {
        return waker;
    }

    public Optional<String> vapidPublicKey() {
        return vapidPublicKey;
    }

    /// A device connected: its next envelope after it leaves gets a fresh wake-up.
    public void deviceConnected(DeviceAddress device) {
        if (dispatcher != null) dispatcher.deviceConnected(device);
    }

    @Override
    public void close() {
        if (dispatcher != null) dispatcher.close();
        if (webPush != null) webPush.close();
    }
}
