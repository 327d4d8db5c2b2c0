/// Web Push message encryption (RFC 8291, over the `aes128gcm` content coding of RFC 8188) and
/// the P-256 key handling it needs, with nothing but the JDK's own crypto.
///
/// It lives in `protocol` because both ends need it: the server encrypts wake-ups to a device's
/// subscription keys, and the client SDK (or a test push service) decrypts them.
package dev.courier.protocol.webpush;
