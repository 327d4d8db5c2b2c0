package dev.courier.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.PreKey;
import dev.courier.protocol.SignedPreKey;
import dev.courier.server.ServiceException;
import dev.courier.server.accounts.DeviceAddress;
import dev.courier.server.keys.OneTimeKeyStore;
import dev.courier.server.keys.OneTimeKeyStore.KeyCounts;
import dev.courier.server.keys.OneTimeKeyStore.Taken;
import dev.courier.server.testing.TestKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/// The behaviour every [OneTimeKeyStore] promises. A backend's test class extends this and
/// supplies the stores; the tests use only the port interfaces.
public abstract class OneTimeKeyStoreContract extends StoreContract {
    private DeviceAddress phone;

    @BeforeEach
    final void createDevice() {
        phone = new DeviceAddress(register("alice"), 1);
    }

    private OneTimeKeyStore keys() {
        return stores.keys();
    }

    private Taken takeOne(DeviceAddress device) {
        Map<DeviceAddress, Taken> taken = keys().take(List.of(device));
        assertThat(taken).containsOnlyKeys(device);
        return taken.get(device);
    }

    private static PreKey preKey(int id) {
        return new PreKey(id, TestKeys.ecPublicKey());
    }

    private static List<PreKey> preKeys(int... ids) {
        List<PreKey> out = new ArrayList<>();
        for (int id : ids) out.add(preKey(id));
        return out;
    }

    private static List<SignedPreKey> kyberKeys(int... ids) {
        List<SignedPreKey> out = new ArrayList<>();
        for (int id : ids) out.add(TestKeys.kyber(id));
        return out;
    }

    /// Takes keys until none of either kind is left and returns the EC key IDs in the order taken.
    private List<Integer> drainPreKeyIds(DeviceAddress device) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            Taken t = takeOne(device);
            if (t.preKey().isEmpty() && t.pqPreKey().isEmpty()) return ids;
            t.preKey().ifPresent(k -> ids.add(k.keyId()));
        }
        throw new AssertionError("the device never ran out of keys");
    }

    private static void assertSamePreKey(PreKey actual, PreKey expected) {
        assertThat(actual.keyId()).isEqualTo(expected.keyId());
        assertThat(actual.publicKey()).isEqualTo(expected.publicKey());
    }

    @Test
    void newDeviceHasNoOneTimeKeys() {
        assertThat(keys().count(phone)).isEqualTo(new KeyCounts(0, 0));

        Taken taken = takeOne(phone);

        assertThat(taken.preKey()).isEmpty();
        assertThat(taken.pqPreKey()).isEmpty();
    }

    @Test
    void addedKeysAreCountedPerKind() {
        keys().addPreKeys(phone, TestKeys.preKeys(1, 5), 100);
        keys().addPqPreKeys(phone, TestKeys.kyberKeys(1, 3), 100);
        assertThat(keys().count(phone)).isEqualTo(new KeyCounts(5, 3));

        keys().addPreKeys(phone, TestKeys.preKeys(6, 2), 100);
        assertThat(keys().count(phone)).isEqualTo(new KeyCounts(7, 3));
    }

    @Test
    void takeHandsOutLowestKeyAndRemovesIt() {
        List<PreKey> ec = preKeys(7, 3, 9);
        List<SignedPreKey> pq = kyberKeys(12, 4);
        keys().addPreKeys(phone, ec, 100);
        keys().addPqPreKeys(phone, pq, 100);

        Taken first = takeOne(phone);
        assertThat(first.preKey()).hasValueSatisfying(k -> assertSamePreKey(k, ec.get(1)));
        assertThat(first.pqPreKey()).hasValueSatisfying(k -> assertSameKey(k, pq.get(1)));
        assertThat(keys().count(phone)).isEqualTo(new KeyCounts(2, 1));

        Taken second = takeOne(phone);
        assertThat(second.preKey()).hasValueSatisfying(k -> assertSamePreKey(k, ec.get(0)));
        assertThat(second.pqPreKey()).hasValueSatisfying(k -> assertSameKey(k, pq.get(0)));
        assertThat(keys().count(phone)).isEqualTo(new KeyCounts(1, 0));

        // The kinds run out independently: an EC key is still handed out without a Kyber one.
        Taken third = takeOne(phone);
        assertThat(third.preKey()).hasValueSatisfying(k -> assertSamePreKey(k, ec.get(2)));
        assertThat(third.pqPreKey()).isEmpty();

        Taken fourth = takeOne(phone);
        assertThat(fourth.preKey()).isEmpty();
        assertThat(fourth.pqPreKey()).isEmpty();
        assertThat(keys().count(phone)).isEqualTo(new KeyCounts(0, 0));
    }

    @Test
    void takeServesEachRequestedDeviceFromItsOwnKeys() {
        DeviceAddress laptop = addDevice(phone.accountId());
        DeviceAddress bob = new DeviceAddress(register("bob"), 1);
        DeviceAddress carol = new DeviceAddress(register("carol"), 1);
        // The same key IDs on every device: only the owner decides which key is whose.
        List<PreKey> phoneKeys = preKeys(1, 2);
        List<PreKey> bobKeys = preKeys(1, 2);
        List<SignedPreKey> bobPq = kyberKeys(1, 2);
        keys().addPreKeys(phone, phoneKeys, 100);
        keys().addPreKeys(bob, bobKeys, 100);
        keys().addPqPreKeys(bob, bobPq, 100);
        keys().addPreKeys(carol, preKeys(1, 2), 100);

        Map<DeviceAddress, Taken> taken = keys().take(List.of(phone, laptop, bob));

        assertThat(taken).containsOnlyKeys(phone, laptop, bob);
        assertThat(taken.get(phone).preKey()).hasValueSatisfying(k -> assertSamePreKey(k, phoneKeys.get(0)));
        assertThat(taken.get(phone).pqPreKey()).isEmpty();
        assertThat(taken.get(laptop).preKey()).isEmpty();
        assertThat(taken.get(laptop).pqPreKey()).isEmpty();
        assertThat(taken.get(bob).preKey()).hasValueSatisfying(k -> assertSamePreKey(k, bobKeys.get(0)));
        assertThat(taken.get(bob).pqPreKey()).hasValueSatisfying(k -> assertSameKey(k, bobPq.get(0)));
        assertThat(keys().count(phone)).isEqualTo(new KeyCounts(1, 0));
        assertThat(keys().count(bob)).isEqualTo(new KeyCounts(1, 1));
        assertThat(keys().count(carol)).as("a device not asked for keeps its keys").isEqualTo(new KeyCounts(2, 0));
    }

    @Test
    void concurrentTakesNeverReturnTheSameKey() throws Exception {
        int uploaded = 120;
        keys().addPreKeys(phone, TestKeys.preKeys(1, uploaded), uploaded);
        keys().addPqPreKeys(phone, TestKeys.kyberKeys(1, uploaded), uploaded);

        // Every thread takes until the device is dry; together they must hand out each key once.
        var outcomes = race(12, i -> {
            List<Integer> ec = new ArrayList<>();
            List<Integer> pq = new ArrayList<>();
            while (true) {
                Taken t = keys().take(List.of(phone)).get(phone);
                if (t.preKey().isEmpty() && t.pqPreKey().isEmpty()) return List.of(ec, pq);
                t.preKey().ifPresent(k -> ec.add(k.keyId()));
                t.pqPreKey().ifPresent(k -> pq.add(k.keyId()));
            }
        });

        List<Integer> allEc = new ArrayList<>();
        List<Integer> allPq = new ArrayList<>();
        for (var o : outcomes) {
            assertThat(o.failure()).isNull();
            allEc.addAll(o.value().get(0));
            allPq.addAll(o.value().get(1));
        }
        assertThat(allEc).doesNotHaveDuplicates().hasSize(uploaded);
        assertThat(allPq).doesNotHaveDuplicates().hasSize(uploaded);
        assertThat(keys().count(phone)).isEqualTo(new KeyCounts(0, 0));
    }

    @Test
    void storingMoreThanMaxKeysIsRefusedAndStoresNothing() {
        keys().addPreKeys(phone, preKeys(1, 2, 3, 4, 5, 6, 7, 8), 10);

        ServiceException e = refusal(() -> keys().addPreKeys(phone, preKeys(9, 10, 11), 10));

        assertThat(e.code()).isEqualTo("too_many_keys");
        assertThat(e.status()).isEqualTo(400);
        assertThat(keys().count(phone)).isEqualTo(new KeyCounts(8, 0));
        // Not even the keys that would have fitted were kept.
        assertThat(drainPreKeyIds(phone)).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    }

    @Test
    void storingMoreThanMaxPqKeysIsRefusedAndStoresNothing() {
        keys().addPqPreKeys(phone, kyberKeys(1, 2, 3), 4);

        ServiceException e = refusal(() -> keys().addPqPreKeys(phone, kyberKeys(4, 5), 4));

        assertThat(e.code()).isEqualTo("too_many_keys");
        assertThat(keys().count(phone)).isEqualTo(new KeyCounts(0, 3));
        List<Integer> taken = new ArrayList<>();
        for (int i = 0; i < 4; i++) takeOne(phone).pqPreKey().ifPresent(k -> taken.add(k.keyId()));
        assertThat(taken).containsExactly(1, 2, 3);
    }

    @Test
    void oneOversizedUploadToAnEmptyDeviceStoresNothing() {
        ServiceException e = refusal(() -> keys().addPreKeys(phone, TestKeys.preKeys(1, 11), 10));
        ServiceException pq = refusal(() -> keys().addPqPreKeys(phone, TestKeys.kyberKeys(1, 11), 10));

        assertThat(e.code()).isEqualTo("too_many_keys");
        assertThat(pq.code()).isEqualTo("too_many_keys");
        assertThat(keys().count(phone)).isEqualTo(new KeyCounts(0, 0));
    }

    @Test
    void storingExactlyMaxKeysIsAllowed() {
        keys().addPreKeys(phone, TestKeys.preKeys(1, 6), 10);
        keys().addPreKeys(phone, TestKeys.preKeys(7, 4), 10);
        keys().addPqPreKeys(phone, TestKeys.kyberKeys(1, 10), 10);

        assertThat(keys().count(phone)).isEqualTo(new KeyCounts(10, 10));
    }

    @Test
    void capIsPerDevice() {
        DeviceAddress laptop = addDevice(phone.accountId());
        keys().addPreKeys(phone, TestKeys.preKeys(1, 10), 10);

        keys().addPreKeys(laptop, TestKeys.preKeys(1, 10), 10);

        assertThat(keys().count(laptop)).isEqualTo(new KeyCounts(10, 0));
    }

    @Test
    void reuploadingAKeyIdReplacesIt() {
        keys().addPreKeys(phone, preKeys(1, 2), 100);
        keys().addPqPreKeys(phone, kyberKeys(1), 100);
        PreKey newEc = preKey(1);
        SignedPreKey newPq = TestKeys.kyber(1);

        keys().addPreKeys(phone, List.of(newEc), 100);
        keys().addPqPreKeys(phone, List.of(newPq), 100);

        assertThat(keys().count(phone)).isEqualTo(new KeyCounts(2, 1));
        Taken taken = takeOne(phone);
        assertThat(taken.preKey()).hasValueSatisfying(k -> assertSamePreKey(k, newEc));
        assertThat(taken.pqPreKey()).hasValueSatisfying(k -> assertSameKey(k, newPq));
    }

    @Test
    void reuploadingKeysOfAFullDeviceIsAllowed() {
        keys().addPreKeys(phone, TestKeys.preKeys(1, 10), 10);
        keys().addPqPreKeys(phone, TestKeys.kyberKeys(1, 10), 10);

        // Replacements do not add keys, so a device at its cap may still refresh them.
        keys().addPreKeys(phone, TestKeys.preKeys(1, 10), 10);
        keys().addPqPreKeys(phone, TestKeys.kyberKeys(1, 10), 10);

        assertThat(keys().count(phone)).isEqualTo(new KeyCounts(10, 10));
    }

    @Test
    void concurrentUploadsNeverExceedTheCap() throws Exception {
        // Eight uploads of three new keys each race for a cap of ten: at most three may win.
        var outcomes = race(8, i -> {
            keys().addPreKeys(phone, TestKeys.preKeys(100 * (i + 1), 3), 10);
            return true;
        });

        long accepted = outcomes.stream().filter(Outcome::succeeded).count();
        assertThat(accepted).isEqualTo(3);
        assertThat(outcomes).filteredOn(o -> !o.succeeded())
                .allSatisfy(o -> assertThat(o.failure()).isInstanceOfSatisfying(ServiceException.class,
                        e -> assertThat(e.code()).isEqualTo("too_many_keys")));
        assertThat(keys().count(phone)).isEqualTo(new KeyCounts(9, 0));
    }

    @Test
    void writesSurviveReopeningTheDatabase() throws Exception {
        List<PreKey> ec = preKeys(1, 2, 3);
        List<SignedPreKey> pq = kyberKeys(1, 2);
        keys().addPreKeys(phone, ec, 100);
        keys().addPqPreKeys(phone, pq, 100);
        takeOne(phone);

        reopen();

        assertThat(keys().count(phone)).isEqualTo(new KeyCounts(2, 1));
        Taken next = takeOne(phone);
        assertThat(next.preKey()).hasValueSatisfying(k -> assertSamePreKey(k, ec.get(1)));
        assertThat(next.pqPreKey()).hasValueSatisfying(k -> assertSameKey(k, pq.get(1)));
    }
}
