package dev.courier.server.messages;

import dev.courier.server.ServiceException;
import java.util.List;

/// `409`: the send did not cover exactly the recipient's current devices.
public final class MismatchedDevicesException extends ServiceException {
    private final List<Integer> missing;
    private final List<Integer> extra;

    public MismatchedDevicesException(List<Integer> missing, List<Integer> extra) {
        super(409, "mismatched_devices", "the ciphertexts must cover exactly the recipient's current devices");
        this.missing = List.copyOf(missing);
        this.extra = List.copyOf(extra);
    }

    public List<Integer> missing() {
        return missing;
    }

    public List<Integer> extra() {
        return extra;
    }
}
