package dev.courier.server.storage;

import dev.courier.server.storage.StoreContract.Stores;
import java.util.function.Supplier;

/// The lifecycle of one backend under the contract suites: [#create] makes empty data and opens
/// [Storage] on it, [#reopen] closes and opens it again on the same data (a server restart), and
/// [#destroy] closes it and deletes the data, also after a failed test.
public final class StoresUnderTest {

    /// A backend's data for one test: made empty by the constructor the suite is given.
    public interface Backend {
        Storage open();

        void deleteData();
    }

    private final Supplier<Backend> newBackend;
    private Backend backend;
    private Storage storage;

    public StoresUnderTest(Supplier<Backend> newBackend) {
        this.newBackend = newBackend;
    }

    public Stores create() {
        backend = newBackend.get();
        return open();
    }

    public Stores reopen() {
        storage.close();
        storage = null;
        return open();
    }

    public void destroy() {
        try {
            if (storage != null) storage.close();
        } finally {
            storage = null;
            if (backend != null) backend.deleteData();
            backend = null;
        }
    }

    private Stores open() {
        storage = backend.open();
        return new Stores(storage.accounts(), storage.oneTimeKeys(), storage.messages(), storage.subscriptions());
    }
}
