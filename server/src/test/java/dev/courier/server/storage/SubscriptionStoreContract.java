package dev.courier.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.server.accounts.DeviceAddress;
import dev.courier.server.push.Subscription;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/// What every [dev.courier.server.push.SubscriptionStore] must do.
public abstract class SubscriptionStoreContract extends StoreContract {

    private static Subscription subscription(DeviceAddress device, String endpoint) {
        byte[] p256dh = new byte[65];
        byte[] auth = new byte[16];
        ThreadLocalRandom.current().nextBytes(p256dh);
        ThreadLocalRandom.current().nextBytes(auth);
        return new Subscription(device, Subscription.WEB_PUSH, endpoint, p256dh, auth, T0);
    }

    private DeviceAddress firstDevice(String name) {
        return new DeviceAddress(register(name), 1);
    }

    @Test
    void aStoredSubscriptionIsFoundWithEveryField() {
        DeviceAddress device = firstDevice("alice");
        Subscription stored = subscription(device, "https://push.example/a");
        assertThat(stores.subscriptions().put(stored)).isTrue();

        Subscription found = stores.subscriptions().find(device).orElseThrow();
        assertThat(found.kind()).isEqualTo(Subscription.WEB_PUSH);
        assertThat(found.endpoint()).isEqualTo("https://push.example/a");
        assertThat(found.p256dh()).isEqualTo(stored.p256dh());
        assertThat(found.auth()).isEqualTo(stored.auth());
        assertThat(found.updatedAt()).isEqualTo(T0);
    }

    @Test
    void aDeviceHasAtMostOneSubscriptionAndPutReplacesIt() {
        DeviceAddress device = firstDevice("alice");
        stores.subscriptions().put(subscription(device, "https://push.example/old"));
        Subscription replacement = subscription(device, "https://push.example/new");
        stores.subscriptions().put(replacement);

        Subscription found = stores.subscriptions().find(device).orElseThrow();
        assertThat(found.endpoint()).isEqualTo("https://push.example/new");
        assertThat(found.auth()).isEqualTo(replacement.auth());
    }

    @Test
    void subscriptionsBelongToTheirOwnDevice() {
        UUID account = register("alice");
        DeviceAddress first = new DeviceAddress(account, 1);
        DeviceAddress second = addDevice(account);
        stores.subscriptions().put(subscription(first, "https://push.example/first"));

        assertThat(stores.subscriptions().find(second)).isEmpty();
        assertThat(stores.subscriptions().remove(second)).isFalse();
        assertThat(stores.subscriptions().find(first)).isPresent();
    }

    @Test
    void anUnknownDeviceCannotSubscribe() {
        DeviceAddress nobody = new DeviceAddress(UUID.randomUUID(), 1);
        assertThat(stores.subscriptions().put(subscription(nobody, "https://push.example/x"))).isFalse();
        assertThat(stores.subscriptions().find(nobody)).isEmpty();
    }

    @Test
    void removingTheDeviceRemovesItsSubscription() {
        UUID account = register("alice");
        DeviceAddress second = addDevice(account);
        stores.subscriptions().put(subscription(second, "https://push.example/second"));

        stores.accounts().removeDevice(second);

        assertThat(stores.subscriptions().find(second)).isEmpty();
    }

    @Test
    void removeReportsWhetherThereWasOne() {
        DeviceAddress device = firstDevice("alice");
        stores.subscriptions().put(subscription(device, "https://push.example/a"));

        assertThat(stores.subscriptions().remove(device)).isTrue();
        assertThat(stores.subscriptions().remove(device)).isFalse();
        assertThat(stores.subscriptions().find(device)).isEmpty();
    }

    @Test
    void pruningAnOldEndpointKeepsTheOneRegisteredSince() {
        DeviceAddress device = firstDevice("alice");
        stores.subscriptions().put(subscription(device, "https://push.example/old"));
        stores.subscriptions().put(subscription(device, "https://push.example/new"));

        assertThat(stores.subscriptions().removeIfEndpoint(device, "https://push.example/old")).isFalse();
        assertThat(stores.subscriptions().find(device).orElseThrow().endpoint()).isEqualTo("https://push.example/new");

        assertThat(stores.subscriptions().removeIfEndpoint(device, "https://push.example/new")).isTrue();
        assertThat(stores.subscriptions().find(device)).isEmpty();
    }

    @Test
    void subscriptionsSurviveARestart() throws Exception {
        DeviceAddress device = firstDevice("alice");
        stores.subscriptions().put(subscription(device, "https://push.example/a"));

        reopen();

        assertThat(stores.subscriptions().find(device).orElseThrow().endpoint()).isEqualTo("https://push.example/a");
    }
}
