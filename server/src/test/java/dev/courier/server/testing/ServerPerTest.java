package dev.courier.server.testing;

import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/// A server started by the test itself, with the settings it needs, and closed after it:
/// `@RegisterExtension final ServerPerTest servers = new ServerPerTest();`, then
/// `servers.start(Map.of(...))` in the test.
public final class ServerPerTest implements AfterEachCallback {
    private TestServer server;
    private TestClient client;

    public TestServer start(Map<String, String> settings) {
        if (server != null) throw new IllegalStateException("one server per test");
        server = new TestServer(settings);
        client = new TestClient(server.baseUrl());
        return server;
    }

    public TestServer server() {
        return server;
    }

    public TestClient client() {
        return client;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (server != null) server.close();
        server = null;
        client = null;
    }
}
