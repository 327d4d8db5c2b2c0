package dev.courier.bench.load;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

/// One registered device the generator speaks for: who it is and the credential it logs in with.
public record BenchDevice(UUID accountId, String username, int deviceId, int registrationId, String credential) {
    /// The `Authorization: Basic` value of docs/API.md §2, made once per device, not per request.
    public String authorization() {
        String user = accountId + "." + deviceId + ":" + credential;
        return "Basic " + Base64.getEncoder().encodeToString(user.getBytes(StandardCharsets.UTF_8));
    }
}
