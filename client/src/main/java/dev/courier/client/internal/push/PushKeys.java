package dev.courier.client.internal.push;

import dev.courier.client.CourierException;
import dev.courier.client.internal.store.LocalState;
import dev.courier.protocol.PushSubscription;
import dev.courier.protocol.WakeUp;
import dev.courier.protocol.webpush.P256;
import dev.courier.protocol.webpush.WebPushCrypto;
import dev.courier.protocol.webpush.WebPushCryptoException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;

/// The device's side of Web Push: it makes the RFC 8291 keys that let only this device read its
/// pushes, and opens the pushes that arrive.
///
/// A push proves nothing by itself (anyone who learns the endpoint may post to it, unless the push
/// service enforces VAPID), and a wake-up carries nothing: it only makes the device connect to its
/// own server with its own credentials, which is safe whoever sent it.
public final class PushKeys {
    private final LocalState local;

    public PushKeys(LocalState local) {
        this.local = local;
    }

    /// New keys for a new endpoint, stored before the subscription is sent, so that a push that
    /// arrives the moment the server knows the endpoint can already be opened.
    public PushSubscription newSubscription(String endpoint) {
        KeyPair pair = P256.generateKeyPair();
        byte[] auth = new byte[WebPushCrypto.AUTH_SECRET_LENGTH];
        new SecureRandom().nextBytes(auth);
        byte[] publicPoint = P256.encodePoint((ECPublicKey) pair.getPublic());
        local.savePushKeys(P256.encodePrivate((ECPrivateKey) pair.getPrivate()), publicPoint, auth);
        return new PushSubscription(endpoint,
                new PushSubscription.Keys(P256.base64Url(publicPoint), P256.base64Url(auth)));
    }

    /// Decrypts a push body (RFC 8291 `aes128gcm`) and checks that it is a Courier wake-up.
    ///
    /// @throws CourierException if this device has no push keys, or the body is not a wake-up for it
    public void open(byte[] body) {
        byte[][] keys = local.pushKeys()
                .orElseThrow(() -> new CourierException("this device has not registered for push notifications"));
        byte[] plaintext;
        try {
            plaintext = WebPushCrypto.decrypt(body, P256.privateKey(keys[0]), keys[1], keys[2]);
        } catch (WebPushCryptoException e) {
            throw new CourierException("the push is not for this device: " + e.getMessage());
        }
        if (!WakeUp.isWakeUp(plaintext)) throw new CourierException("the push is not a Courier wake-up");
    }
}
