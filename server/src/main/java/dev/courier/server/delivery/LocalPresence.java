package dev.courier.server.delivery;

import dev.courier.server.accounts.DeviceAddress;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/// [Presence] for a single process: a concurrent map from device to its one live connection.
public final class LocalPresence implements Presence {
    private final ConcurrentHashMap<DeviceAddress, DeliverySession> sessions = new ConcurrentHashMap<>();

    @Override
    public Optional<DeliverySession> attach(DeliverySession session) {
        return Optional.ofNullable(sessions.put(session.device(), session));
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

    @Override
    public int localCount() {
        return sessions.size();
    }
}
