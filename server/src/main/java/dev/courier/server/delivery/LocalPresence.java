package dev.courier.server.delivery;

import dev.courier.server.accounts.DeviceAddress;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.concurrent.ConcurrentHashMap;

/// [Presence] for a single process: a concurrent map from device to its one live connection.
public final class LocalPresence implements Presence {
    private final ConcurrentHashMap<DeviceAddress, DeliverySession> sessions = new ConcurrentHashMap<>();
    private final List<Consumer<DeviceAddress>> attachListeners = new CopyOnWriteArrayList<>();

    @Override
    public Optional<DeliverySession> attach(DeliverySession session) {
        Optional<DeliverySession> replaced = Optional.ofNullable(sessions.put(session.device(), session));
        attachListeners.forEach(l -> l.accept(session.device()));
        return replaced;
    }

    @Override
    public void onAttach(Consumer<DeviceAddress> listener) {
        attachListeners.add(listener);
    }

    @Override
    public void detach(DeliverySession session) {
        sessions.remove(session.device(), session);
    }

    @Override
    public boolean signal(DeviceAddress device) {
        DeliverySession session = sessions.get(device);
        if (session == null) return false;
        session.signal();
        return true;
    }

    @Override
    public Optional<DeliverySession> local(DeviceAddress device) {
        return Optional.ofNullable(sessions.get(device));
    }

    /// Every live connection of this process, for cluster presence to refresh and catch up.
    public Collection<DeliverySession> sessions() {
        return sessions.values();
    }

    @Override
    public int localCount() {
        return sessions.size();
    }
}
