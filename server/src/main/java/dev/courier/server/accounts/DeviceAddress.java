package dev.courier.server.accounts;

import java.util.UUID;

/// One device of one account: the unit that owns a message queue, keys and a connection.
public record DeviceAddress(UUID accountId, int deviceId) {
    @Override
    public String toString() {
        return accountId + "." + deviceId;
    }
}
