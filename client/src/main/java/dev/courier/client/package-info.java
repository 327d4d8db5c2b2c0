/// Courier's Java client SDK: register a device, connect, send and receive end-to-end-encrypted
/// messages. [CourierClient] is the entry point; everything under `dev.courier.client.internal`
/// is implementation and may change without notice.
///
/// Encryption is the Signal Protocol (PQXDH with Kyber-1024, then the Double Ratchet) through
/// libsignal-client. The device's keys, sessions, contacts, history and outbox live in one SQLite
/// file in the device directory, readable only by its owner.
package dev.courier.client;
