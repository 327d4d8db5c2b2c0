package dev.courier.server.accounts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/// What the server keeps of a device's credential: a random salt and SHA-256(salt ‖ token).
///
/// The token itself is 256 random bits, so a fast hash is enough: there is nothing to brute-force,
/// and the salt keeps equal tokens (there are none) from sharing hashes. Human-chosen secrets
/// would need Argon2id instead; Courier has none.
public record DeviceCredential(byte[] salt, byte[] hash) {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder TOKEN_ENCODING = Base64.getUrlEncoder().withoutPadding();

    /// A new token and the credential that verifies it. The token is returned to the device once.
    public record Issued(String token, DeviceCredential credential) {}

    public static Issued issue() {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String token = TOKEN_ENCODING.encodeToString(raw);
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return new Issued(token, new DeviceCredential(salt, digest(salt, token)));
    }

    /// Constant-time check of a presented token.
    public boolean verify(String token) {
        return MessageDigest.isEqual(hash, digest(salt, token));
    }

    /// A fresh random token in the same format, for registration tokens.
    public static String randomToken() {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        return TOKEN_ENCODING.encodeToString(raw);
    }

    /// Unsalted SHA-256, for registration tokens, which are looked up by hash.
    public static byte[] lookupHash(String token) {
        return digest(new byte[0], token);
    }

    private static byte[] digest(byte[] salt, String token) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(salt);
            return sha.digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
