package dev.courier.server.messages;

import dev.courier.server.ServiceException;
import java.util.List;

/// `410`: some ciphertexts were made for a previous registration of the device.
public final class StaleDevicesException extends ServiceException {
    private final List<Integer> stale;

    public StaleDevicesException(List<Integer> stale) {
        super(410, "stale_devices", "some ciphertexts were made for another registration of these devices; fetch new bundles for them");
        this.stale = List.copyOf(stale);
    }

    public List<Integer> stale() {
        return stale;
    }
}
