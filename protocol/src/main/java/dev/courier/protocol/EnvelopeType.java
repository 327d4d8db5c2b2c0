package dev.courier.protocol;

import java.util.Set;

/// Envelope types. The client types match libsignal's `CiphertextMessage` type constants, so a
/// client can pass them through; the server never looks inside.
public final class EnvelopeType {
    private EnvelopeType() {}

    /// A Double Ratchet message (`CiphertextMessage.WHISPER_TYPE`).
    public static final int CIPHERTEXT = 2;
    /// The first message of a session, carrying the PQXDH pre-key data (`PREKEY_TYPE`).
    public static final int PREKEY_MESSAGE = 3;
    /// A Sender Key group message (`SENDERKEY_TYPE`).
    public static final int SENDER_KEY = 7;
    /// An unencrypted libsignal `PlaintextContent`, used only for decryption-error messages (`PLAINTEXT_CONTENT_TYPE`).
    public static final int PLAINTEXT_CONTENT = 8;
    /// A server notice that messages expired undelivered. It has no sender and no content, only
    /// `expiredMessageIds`.
    public static final int EXPIRY_NOTICE = 100;

    public static final Set<Integer> CLIENT_TYPES = Set.of(CIPHERTEXT, PREKEY_MESSAGE, SENDER_KEY, PLAINTEXT_CONTENT);
}
