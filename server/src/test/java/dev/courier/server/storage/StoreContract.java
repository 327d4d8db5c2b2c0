package dev.courier.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.courier.protocol.SignedPreKey;
import dev.courier.server.ServiceException;
import dev.courier.server.accounts.AccountStore;
import dev.courier.server.accounts.DeviceAddress;
import dev.courier.server.accounts.DeviceCredential;
import dev.courier.server.accounts.NewDevice;
import dev.courier.server.keys.OneTimeKeyStore;
import dev.courier.server.messages.MessageStore;
import dev.courier.server.push.SubscriptionStore;
import dev.courier.server.testing.TestKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/// What the storage contract suites share: the lifecycle of the stores under test and builders
/// for valid-shaped rows.
///
/// A backend joins the suites by implementing the three lifecycle methods; the tests themselves
/// use only the port interfaces, so a PostgreSQL backend runs them unchanged.
public abstract class StoreContract {

    /// The stores under test, all on one database: queues and keys belong to devices, so the
    /// message and key stores need the account store to create those devices first.
    public record Stores(AccountStore accounts, OneTimeKeyStore keys, MessageStore messages,
                         SubscriptionStore subscriptions) {}

    /// A fixed "now" far from zero, so that off-by-epoch mistakes cannot pass by accident.
    protected static final long T0 = 1_700_000_000_000L;

    /// A device cap high enough that only tests about the cap meet it.
    protected static final int MANY_DEVICES = 100;

    protected Stores stores;

    /// Opens the stores on a new, empty database. Called before each test.
    protected abstract Stores createStores() throws Exception;

    /// Closes the current stores and opens new ones on the same data, as a server restart does.
    protected abstract Stores reopenStores() throws Exception;

    /// Closes the stores and deletes all their data. Called after each test, also when it failed.
    protected abstract void destroyStores() throws Exception;

    @BeforeEach
    final void openStoresUnderTest() throws Exception {
        stores = createStores();
    }

    @AfterEach
    final void destroyStoresUnderTest() throws Exception {
        destroyStores();
    }

    /// Restarts the stores on the same data; later calls through [#stores] use the new ones.
    protected final void reopen() throws Exception {
        stores = reopenStores();
    }

    protected static NewDevice newDevice(String name) {
        return newDevice(name, DeviceCredential.issue().credential());
    }

    protected static NewDevice newDevice(String name, DeviceCredential credential) {
        return new NewDevice(name, ThreadLocalRandom.current().nextInt(1, 16_380), credential, TestKeys.ecPublicKey(),
                TestKeys.signedEc(1), TestKeys.kyber(1000));
    }

    /// Creates an account without a registration token and returns its ID; it has device 1.
    protected final UUID register(String username) {
        UUID id = UUID.randomUUID();
        stores.accounts().create(id, username, newDevice("first"), Optional.empty(), T0);
        return id;
    }

    /// Adds a device to `account` and returns its address.
    protected final DeviceAddress addDevice(UUID account) {
        int id = stores.accounts().addDevice(account, newDevice("another"), MANY_DEVICES, T0);
        return new DeviceAddress(account, id);
    }

    protected static void assertSameKey(SignedPreKey actual, SignedPreKey expected) {
        // Records compare arrays by identity, so the fields are compared one by one.
        assertThat(actual.keyId()).isEqualTo(expected.keyId());
        assertThat(actual.publicKey()).isEqualTo(expected.publicKey());
        assertThat(actual.signature()).isEqualTo(expected.signature());
    }

    /// What `call` threw, which must be a [ServiceException]: refusals are checked by their code.
    protected static ServiceException refusal(ThrowingCallable call) {
        ServiceException e = catchThrowableOfType(ServiceException.class, call);
        assertThat(e).as("expected a ServiceException").isNotNull();
        return e;
    }

    /// The result of one call made by [#race]: its value, or what it threw.
    protected record Outcome<T>(T value, Throwable failure) {
        public boolean succeeded() {
            return failure == null;
        }
    }

    /// Runs `task(0)` … `task(threads - 1)` on as many threads, released together so that the calls
    /// really overlap, and returns every outcome. Races are where storage backends differ most.
    protected static <T> List<Outcome<T>> race(int threads, IntFunction<T> task) throws Exception {
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger index = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Outcome<T>>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(() -> {
                    int me = index.getAndIncrement();
                    ready.countDown();
                    go.await();
                    try {
                        return new Outcome<>(task.apply(me), null);
                    } catch (RuntimeException e) {
                        return new Outcome<T>(null, e);
                    }
                }));
            }
            ready.await();
            go.countDown();
            List<Outcome<T>> outcomes = new ArrayList<>();
            for (Future<Outcome<T>> f : futures) outcomes.add(f.get(30, TimeUnit.SECONDS));
            return outcomes;
        } finally {
            pool.shutdownNow();
        }
    }
}
