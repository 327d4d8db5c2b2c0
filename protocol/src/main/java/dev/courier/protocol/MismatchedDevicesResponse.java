package dev.courier.protocol;

import java.util.List;

/// `409` answer to a send whose ciphertexts do not cover exactly the recipient's current devices.
/// The sender fetches bundles for `missingDevices`, drops sessions with `extraDevices`, and retries.
public record MismatchedDevicesResponse(String code, String message, List<Integer> missingDevices,
                                        List<Integer> extraDevices) {}
