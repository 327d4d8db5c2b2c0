package dev.courier.cli.contacts;

import dev.courier.cli.failure.CliFailure;
import dev.courier.client.Contact;
import dev.courier.client.CourierClient;
import java.util.Locale;

/// Looks a user up among this device's contacts. Safety numbers and trust are about keys this
/// device already holds, so an unknown name is answered here, without asking the server.
final class KnownContact {
    private KnownContact() {}

    static Contact require(CourierClient client, String user) {
        String wanted = user.toLowerCase(Locale.ROOT);
        return client.contacts().stream()
                .filter(c -> wanted.equals(c.username()) || c.accountId().toString().equals(wanted))
                .findFirst()
                .orElseThrow(() -> CliFailure.unknownUser("no conversation with '" + user + "' on this device yet"));
    }
}
