package dev.courier.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.EnvelopeType;
import dev.courier.protocol.SignedPreKey;
import dev.courier.server.ServiceException;
import dev.courier.server.accounts.Account;
import dev.courier.server.accounts.AccountStore;
import dev.courier.server.accounts.Device;
import dev.courier.server.accounts.DeviceAddress;
import dev.courier.server.accounts.DeviceCredential;
import dev.courier.server.accounts.NewDevice;
import dev.courier.server.keys.OneTimeKeyStore.KeyCounts;
import dev.courier.server.messages.OutgoingBatch;
import dev.courier.server.testing.TestKeys;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/// The behaviour every [AccountStore] promises. A backend's test class extends this and supplies
/// the stores; the tests use only the port interfaces.
public abstract class AccountStoreContract extends StoreContract {

    private AccountStore accounts() {
        return stores.accounts();
    }

    private static byte[] newTokenHash() {
        return DeviceCredential.lookupHash(DeviceCredential.randomToken());
    }

    private Account createWithToken(String username, byte[] tokenHash, long now) {
        return accounts().create(UUID.randomUUID(), username, newDevice("first"), Optional.of(tokenHash), now);
    }

    private List<Integer> deviceIds(UUID account) {
        return accounts().devices(account).stream().map(Device::deviceId).toList();
    }

    private static void assertDevice(Device actual, int deviceId, NewDevice expected, long createdAt) {
        assertThat(actual.deviceId()).isEqualTo(deviceId);
        assertThat(actual.name()).isEqualTo(expected.name());
        assertThat(actual.registrationId()).isEqualTo(expected.registrationId());
        assertThat(actual.identityKey()).isEqualTo(expected.identityKey());
        assertSameKey(actual.signedPreKey(), expected.signedPreKey());
        assertSameKey(actual.pqLastResortPreKey(), expected.pqLastResortPreKey());
        assertThat(actual.createdAt()).isEqualTo(createdAt);
    }

    @Test
    void createStoresTheAccountWithItsFirstDeviceAsDeviceOne() {
        DeviceCredential.Issued issued = DeviceCredential.issue();
        NewDevice first = newDevice("phone", issued.credential());
        UUID id = UUID.randomUUID();

        Account account = accounts().create(id, "alice", first, Optional.empty(), T0);

        assertThat(account).isEqualTo(new Account(id, "alice", T0));
        assertThat(accounts().findById(id)).contains(account);
        assertThat(accounts().findByUsername("alice")).contains(account);
        List<Device> devices = accounts().devices(id);
        assertThat(devices).hasSize(1);
        assertDevice(devices.getFirst(), 1, first, T0);
        assertThat(accounts().credential(new DeviceAddress(id, 1)))
                .hasValueSatisfying(c -> {
                    assertThat(c.verify(issued.token())).isTrue();
                    assertThat(c.verify(DeviceCredential.randomToken())).isFalse();
                });
    }

    @Test
    void unknownAccountsAndDevicesAreNotFound() {
        UUID alice = register("alice");
        UUID nobody = UUID.randomUUID();

        assertThat(accounts().findById(nobody)).isEmpty();
        assertThat(accounts().findByUsername("bob")).isEmpty();
        assertThat(accounts().devices(nobody)).isEmpty();
        assertThat(accounts().credential(new DeviceAddress(nobody, 1))).isEmpty();
        assertThat(accounts().credential(new DeviceAddress(alice, 2))).isEmpty();
    }

    @Test
    void usernameIsUniqueAcrossAccounts() {
        UUID alice = register("alice");
        UUID impostor = UUID.randomUUID();

        ServiceException e = refusal(() -> accounts().create(impostor, "alice", newDevice("x"), Optional.empty(), T0 + 1));

        assertThat(e.code()).isEqualTo("username_taken");
        assertThat(e.status()).isEqualTo(409);
        assertThat(accounts().findByUsername("alice")).map(Account::id).contains(alice);
        assertThat(accounts().findById(impostor)).isEmpty();
        assertThat(accounts().devices(impostor)).isEmpty();
    }

    @Test
    void concurrentRegistrationsOfOneUsernameCreateOneAccount() throws Exception {
        var outcomes = race(8, i -> accounts().create(UUID.randomUUID(), "alice", newDevice("d" + i), Optional.empty(), T0));

        List<Account> created = outcomes.stream().filter(Outcome::succeeded).map(Outcome::value).toList();
        assertThat(created).hasSize(1);
        assertThat(outcomes).filteredOn(o -> !o.succeeded())
                .allSatisfy(o -> assertThat(o.failure()).isInstanceOfSatisfying(ServiceException.class,
                        e -> assertThat(e.code()).isEqualTo("username_taken")));
        assertThat(accounts().findByUsername("alice")).contains(created.getFirst());
    }

    @Test
    void registrationTokenAllowsAsManyRegistrationsAsItHasUses() {
        byte[] token = newTokenHash();
        accounts().createRegistrationToken(token, 2, null, T0);

        createWithToken("alice", token, T0);
        createWithToken("bob", token, T0);
        ServiceException e = refusal(() -> createWithToken("carol", token, T0));

        assertThat(e.code()).isEqualTo("invalid_registration_token");
        assertThat(e.status()).isEqualTo(403);
        assertThat(accounts().findByUsername("alice")).isPresent();
        assertThat(accounts().findByUsername("bob")).isPresent();
        assertThat(accounts().findByUsername("carol")).isEmpty();
    }

    @Test
    void unknownRegistrationTokenIsRefused() {
        accounts().createRegistrationToken(newTokenHash(), 5, null, T0);

        ServiceException e = refusal(() -> createWithToken("alice", newTokenHash(), T0));

        assertThat(e.code()).isEqualTo("invalid_registration_token");
        assertThat(accounts().findByUsername("alice")).isEmpty();
    }

    @Test
    void expiredRegistrationTokenIsRefused() {
        byte[] token = newTokenHash();
        accounts().createRegistrationToken(token, 5, T0 + 1_000, T0);

        createWithToken("early", token, T0 + 999);
        ServiceException e = refusal(() -> createWithToken("late", token, T0 + 1_001));

        assertThat(e.code()).isEqualTo("invalid_registration_token");
        assertThat(accounts().findByUsername("early")).isPresent();
        assertThat(accounts().findByUsername("late")).isEmpty();
    }

    @Test
    void registrationTokenUseIsNotSpentWhenUsernameIsTaken() {
        register("alice");
        byte[] token = newTokenHash();
        accounts().createRegistrationToken(token, 1, null, T0);

        ServiceException taken = refusal(() -> createWithToken("alice", token, T0));
        assertThat(taken.code()).isEqualTo("username_taken");

        // The refused registration must have left the token's only use in place.
        createWithToken("bob", token, T0);
        assertThat(accounts().findByUsername("bob")).isPresent();
        ServiceException usedUp = refusal(() -> createWithToken("carol", token, T0));
        assertThat(usedUp.code()).isEqualTo("invalid_registration_token");
    }

    @Test
    void concurrentRegistrationsNeverOverspendAToken() throws Exception {
        byte[] token = newTokenHash();
        accounts().createRegistrationToken(token, 3, null, T0);

        var outcomes = race(10, i -> createWithToken("user" + i, token, T0));

        assertThat(outcomes).filteredOn(Outcome::succeeded).hasSize(3);
        assertThat(outcomes).filteredOn(o -> !o.succeeded())
                .allSatisfy(o -> assertThat(o.failure()).isInstanceOfSatisfying(ServiceException.class,
                        e -> assertThat(e.code()).isEqualTo("invalid_registration_token")));
        long existing = IntStream.range(0, 10).filter(i -> accounts().findByUsername("user" + i).isPresent()).count();
        assertThat(existing).isEqualTo(3);
    }

    @Test
    void addDeviceGivesTheNextIdAndStoresTheDevice() {
        UUID alice = register("alice");
        DeviceCredential.Issued issued = DeviceCredential.issue();
        NewDevice laptop = newDevice("laptop", issued.credential());

        int id = accounts().addDevice(alice, laptop, MANY_DEVICES, T0 + 10);

        assertThat(id).isEqualTo(2);
        assertThat(deviceIds(alice)).containsExactlyInAnyOrder(1, 2);
        Device stored = accounts().devices(alice).stream().filter(d -> d.deviceId() == 2).findFirst().orElseThrow();
        assertDevice(stored, 2, laptop, T0 + 10);
        assertThat(accounts().credential(new DeviceAddress(alice, 2)))
                .hasValueSatisfying(c -> assertThat(c.verify(issued.token())).isTrue());
    }

    @Test
    void deviceIdsAreNeverReused() {
        UUID alice = register("alice");
        assertThat(addDevice(alice).deviceId()).isEqualTo(2);
        assertThat(addDevice(alice).deviceId()).isEqualTo(3);

        // Removing the newest device must not hand its ID out again.
        accounts().removeDevice(new DeviceAddress(alice, 3));
        assertThat(addDevice(alice).deviceId()).isEqualTo(4);

        // Nor may a gap left by an older device be filled.
        accounts().removeDevice(new DeviceAddress(alice, 2));
        accounts().removeDevice(new DeviceAddress(alice, 1));
        assertThat(addDevice(alice).deviceId()).isEqualTo(5);
        assertThat(deviceIds(alice)).containsExactlyInAnyOrder(4, 5);
    }

    @Test
    void deviceIdsAreCountedPerAccount() {
        UUID alice = register("alice");
        addDevice(alice);
        addDevice(alice);
        UUID bob = register("bob");

        assertThat(addDevice(bob).deviceId()).isEqualTo(2);
    }

    @Test
    void addDeviceRefusesBeyondCap() {
        UUID alice = register("alice");
        accounts().addDevice(alice, newDevice("2"), 3, T0);
        accounts().addDevice(alice, newDevice("3"), 3, T0);

        ServiceException e = refusal(() -> accounts().addDevice(alice, newDevice("4"), 3, T0));

        assertThat(e.code()).isEqualTo("too_many_devices");
        assertThat(e.status()).isEqualTo(409);
        assertThat(deviceIds(alice)).containsExactlyInAnyOrder(1, 2, 3);

        // The cap counts current devices: removing one makes room again, under a fresh ID.
        accounts().removeDevice(new DeviceAddress(alice, 2));
        int id = accounts().addDevice(alice, newDevice("5"), 3, T0);
        assertThat(id).isGreaterThan(3);
        assertThat(deviceIds(alice)).containsExactlyInAnyOrder(1, 3, id);
    }

    @Test
    void concurrentAddDevicesRespectTheCapAndGetDistinctIds() throws Exception {
        UUID alice = register("alice");

        var outcomes = race(12, i -> accounts().addDevice(alice, newDevice("d" + i), 5, T0));

        List<Integer> ids = outcomes.stream().filter(Outcome::succeeded).map(Outcome::value).toList();
        assertThat(ids).hasSize(4).doesNotHaveDuplicates().doesNotContain(1);
        assertThat(outcomes).filteredOn(o -> !o.succeeded())
                .allSatisfy(o -> assertThat(o.failure()).isInstanceOfSatisfying(ServiceException.class,
                        e -> assertThat(e.code()).isEqualTo("too_many_devices")));
        assertThat(deviceIds(alice)).hasSize(5).containsAll(ids);
    }

    @Test
    void removeDeviceReportsWhetherItExisted() {
        UUID alice = register("alice");
        DeviceAddress laptop = addDevice(alice);

        assertThat(accounts().removeDevice(laptop)).isTrue();
        assertThat(accounts().removeDevice(laptop)).isFalse();
        assertThat(accounts().removeDevice(new DeviceAddress(UUID.randomUUID(), 1))).isFalse();

        assertThat(deviceIds(alice)).containsExactly(1);
        assertThat(accounts().credential(laptop)).isEmpty();
        assertThat(accounts().credential(new DeviceAddress(alice, 1))).isPresent();
    }

    /// A backend may serve these reads from memory; each write must still show in the next read.
    @Test
    void readsBeforeEachWriteDoNotHideTheWrite() {
        UUID carol = UUID.randomUUID();
        assertThat(accounts().devices(carol)).isEmpty();
        assertThat(accounts().findById(carol)).isEmpty();
        accounts().create(carol, "carol", newDevice("phone"), Optional.empty(), T0);
        assertThat(deviceIds(carol)).containsExactly(1);
        assertThat(accounts().findById(carol)).isPresent();
        assertThat(accounts().findByUsername("carol")).map(Account::id).contains(carol);

        DeviceAddress laptop = addDevice(carol);
        assertThat(accounts().credential(laptop)).isPresent();
        assertThat(deviceIds(carol)).containsExactly(1, laptop.deviceId());

        accounts().touch(laptop, T0 + 5_000);
        assertThat(accounts().devices(carol).getLast().lastSeen()).isEqualTo(T0 + 5_000);

        var replacement = new SignedPreKey(99, TestKeys.ecPublicKey(), TestKeys.signature());
        accounts().updateSignedKeys(laptop, replacement, null);
        assertThat(accounts().devices(carol).getLast().signedPreKey().keyId()).isEqualTo(99);

        assertThat(accounts().removeDevice(laptop)).isTrue();
        assertThat(accounts().credential(laptop)).isEmpty();
        assertThat(deviceIds(carol)).containsExactly(1);
    }

    @Test
    void removingDeviceDeletesItsQueueAndKeys() {
        UUID alice = register("alice");
        UUID bob = register("bob");
        DeviceAddress bob1 = new DeviceAddress(bob, 1);
        DeviceAddress bob2 = addDevice(bob);
        for (DeviceAddress d : List.of(bob1, bob2)) {
            stores.keys().addPreKeys(d, TestKeys.preKeys(1, 3), 100);
            stores.keys().addPqPreKeys(d, TestKeys.kyberKeys(1, 2), 100);
        }
        var ciphertexts = List.of(
                new OutgoingBatch.DeviceCiphertext(1, EnvelopeType.CIPHERTEXT, TestKeys.random(10)),
                new OutgoingBatch.DeviceCiphertext(2, EnvelopeType.CIPHERTEXT, TestKeys.random(10)));
        stores.messages().store(new OutgoingBatch(alice, 1, bob, UUID.randomUUID(), T0, T0, T0 + 86_400_000L, ciphertexts), 100);
        UUID bob2Envelope = stores.messages().pending(bob2, 0, 10).getFirst().guid();

        assertThat(accounts().removeDevice(bob2)).isTrue();

        assertThat(stores.keys().count(bob2)).isEqualTo(new KeyCounts(0, 0));
        assertThat(stores.messages().queueDepth(bob2)).isZero();
        assertThat(stores.messages().pending(bob2, 0, 10)).isEmpty();
        assertThat(stores.messages().acknowledge(bob2, bob2Envelope)).isFalse();
        // The account's other device keeps everything it had.
        assertThat(stores.keys().count(bob1)).isEqualTo(new KeyCounts(3, 2));
        assertThat(stores.messages().queueDepth(bob1)).isEqualTo(1);
        assertThat(stores.messages().pending(bob1, 0, 10)).hasSize(1);
    }

    @Test
    void updateSignedKeysReplacesOnlyTheKeysGiven() {
        UUID alice = register("alice");
        DeviceAddress phone = new DeviceAddress(alice, 1);
        Device before = accounts().devices(alice).getFirst();
        SignedPreKey newSigned = TestKeys.signedEc(2);
        SignedPreKey newLastResort = TestKeys.kyber(1001);

        accounts().updateSignedKeys(phone, newSigned, null);
        Device afterSigned = accounts().devices(alice).getFirst();
        assertSameKey(afterSigned.signedPreKey(), newSigned);
        assertSameKey(afterSigned.pqLastResortPreKey(), before.pqLastResortPreKey());

        accounts().updateSignedKeys(phone, null, newLastResort);
        Device afterBoth = accounts().devices(alice).getFirst();
        assertSameKey(afterBoth.signedPreKey(), newSigned);
        assertSameKey(afterBoth.pqLastResortPreKey(), newLastResort);
        assertThat(afterBoth.identityKey()).isEqualTo(before.identityKey());
    }

    @Test
    void updateSignedKeysAffectsOnlyTheGivenDevice() {
        UUID alice = register("alice");
        DeviceAddress laptop = addDevice(alice);
        Device phoneBefore = accounts().devices(alice).stream().filter(d -> d.deviceId() == 1).findFirst().orElseThrow();

        accounts().updateSignedKeys(laptop, TestKeys.signedEc(7), TestKeys.kyber(7));

        Device phoneAfter = accounts().devices(alice).stream().filter(d -> d.deviceId() == 1).findFirst().orElseThrow();
        assertSameKey(phoneAfter.signedPreKey(), phoneBefore.signedPreKey());
        assertSameKey(phoneAfter.pqLastResortPreKey(), phoneBefore.pqLastResortPreKey());
    }

    @Test
    void touchRecordsLastSeenOfThatDeviceOnly() {
        UUID alice = register("alice");
        DeviceAddress laptop = addDevice(alice);
        long phoneLastSeen = accounts().devices(alice).stream().filter(d -> d.deviceId() == 1).findFirst().orElseThrow().lastSeen();

        accounts().touch(laptop, T0 + 5_000);

        for (Device d : accounts().devices(alice)) {
            assertThat(d.createdAt()).isEqualTo(T0);
            assertThat(d.lastSeen()).isEqualTo(d.deviceId() == laptop.deviceId() ? T0 + 5_000 : phoneLastSeen);
        }
    }

    @Test
    void writesSurviveReopeningTheDatabase() throws Exception {
        byte[] token = newTokenHash();
        accounts().createRegistrationToken(token, 1, null, T0);
        DeviceCredential.Issued issued = DeviceCredential.issue();
        NewDevice first = newDevice("phone", issued.credential());
        UUID alice = UUID.randomUUID();
        accounts().create(alice, "alice", first, Optional.of(token), T0);
        DeviceAddress laptop = addDevice(alice);
        accounts().removeDevice(laptop);
        accounts().touch(new DeviceAddress(alice, 1), T0 + 7);

        reopen();

        assertThat(accounts().findByUsername("alice")).contains(new Account(alice, "alice", T0));
        List<Device> devices = accounts().devices(alice);
        assertThat(devices).hasSize(1);
        assertDevice(devices.getFirst(), 1, first, T0);
        assertThat(devices.getFirst().lastSeen()).isEqualTo(T0 + 7);
        assertThat(accounts().credential(new DeviceAddress(alice, 1)))
                .hasValueSatisfying(c -> assertThat(c.verify(issued.token())).isTrue());
        assertThat(refusal(() -> createWithToken("bob", token, T0)).code()).isEqualTo("invalid_registration_token");
        assertThat(addDevice(alice).deviceId()).isEqualTo(3);
    }
}
