package dev.courier.server.delivery;

import dev.courier.server.accounts.DeviceAddress;
import dev.courier.server.messages.CommitFeed;
import dev.courier.server.messages.QueueListener;
import dev.courier.server.messages.StoredEnvelope;
import dev.courier.server.push.DeviceWaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;

/// Decides, after each commit, between "push now" and "hold, then wake the device": a device
/// with a live connection is signalled to drain its queue (or, from a store that feeds commits,
/// handed the envelope itself); any other is handed to the waker.
public final class Dispatcher implements QueueListener, CommitFeed {
    static final String SIGNALLED = "courier.delivery.online";
    static final String HELD = "courier.delivery.offline";

    private final Presence presence;
    private final DeviceWaker waker;
    private final Counter signalled;
    private final Counter held;

    public Dispatcher(Presence presence, DeviceWaker waker, MeterRegistry metrics) {
        this.presence = presence;
        this.waker = waker;
        this.signalled = Counter.builder(SIGNALLED).description("queue updates for devices with a live connection").register(metrics);
        this.held = Counter.builder(HELD).description("queue updates for devices without a live connection").register(metrics);
    }

    /// A device with a live connection on this node gets the envelope itself, and is woken by
    /// [#envelopesHandedOver] once the send returns; any other is left to [#envelopesQueued],
    /// which may find its connection on another node or wake the device by push.
    @Override
    public boolean committed(DeviceAddress device, StoredEnvelope envelope) {
        var session = presence.local(device);
        if (session.isEmpty() || !session.get().offer(envelope)) return false;
        signalled.increment();
        return true;
    }

    @Override
    public void envelopesHandedOver(Collection<DeviceAddress> devices) {
        // A connection replaced since then was closed: its successor reads the store at attach.
        for (DeviceAddress device : devices) presence.local(device).ifPresent(DeliverySession::wake);
    }

    @Override
    public void envelopesQueued(Collection<DeviceAddress> devices) {
        for (DeviceAddress device : devices) {
            if (presence.signal(device)) {
                signalled.increment();
            } else {
                held.increment();
                waker.wake(device);
            }
        }
    }
}
