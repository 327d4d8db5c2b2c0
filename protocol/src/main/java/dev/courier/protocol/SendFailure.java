package dev.courier.protocol;

import java.util.List;

/// Why a send over the socket was refused: the fields of the error body `POST /v1/messages`
/// would have answered with the same status ([ErrorResponse], [MismatchedDevicesResponse] or
/// [StaleDevicesResponse]), and for `429` the `Retry-After` header's seconds. Fields that do not
/// apply are absent.
public record SendFailure(String code, String message, List<Integer> missingDevices, List<Integer> extraDevices,
                          List<Integer> staleDevices, Long retryAfterSeconds) {

    public static SendFailure of(String code, String message) {
        return new SendFailure(code, message, null, null, null, null);
    }
}
