package dev.courier.client.internal.store;

import java.util.List;

/// The device store's tables. `CREATE ... IF NOT EXISTS` keeps opening idempotent; a later
/// version that changes a table adds a numbered migration here.
final class Schema {
    private Schema() {}

    static final List<String> STATEMENTS = List.of(
            // Single values: identity key pair, registration ID, account, credential, key ID counters.
            "CREATE TABLE IF NOT EXISTS local (name TEXT PRIMARY KEY, value BLOB NOT NULL)",
            "CREATE TABLE IF NOT EXISTS pre_keys (id INTEGER PRIMARY KEY, record BLOB NOT NULL)",
            "CREATE TABLE IF NOT EXISTS signed_pre_keys (id INTEGER PRIMARY KEY, record BLOB NOT NULL, created_at INTEGER NOT NULL)",
            "CREATE TABLE IF NOT EXISTS kyber_pre_keys (id INTEGER PRIMARY KEY, record BLOB NOT NULL, last_resort INTEGER NOT NULL, created_at INTEGER NOT NULL)",
            // Base keys seen with a last-resort Kyber key, so a replayed PQXDH handshake is refused.
            "CREATE TABLE IF NOT EXISTS kyber_base_keys_seen (kyber_id INTEGER NOT NULL, signed_id INTEGER NOT NULL, base_key BLOB NOT NULL, PRIMARY KEY (kyber_id, signed_id, base_key))",
            "CREATE TABLE IF NOT EXISTS sessions (name TEXT NOT NULL, device INTEGER NOT NULL, record BLOB NOT NULL, PRIMARY KEY (name, device))",
            // One identity per account (the Signal ACI model): the key its safety number shows;
            // changed = a key the user has not accepted yet waits for them.
            "CREATE TABLE IF NOT EXISTS identities (name TEXT PRIMARY KEY, identity_key BLOB NOT NULL, trusted INTEGER NOT NULL, changed INTEGER NOT NULL, updated_at INTEGER NOT NULL)",
            // Every key the user accepted for an account. The server lets each device publish its
            // own identity key, so an account with several devices may have several keys.
            "CREATE TABLE IF NOT EXISTS accepted_identities (name TEXT NOT NULL, identity_key BLOB NOT NULL, PRIMARY KEY (name, identity_key))",
            // Stores written before accepted_identities existed: their trusted keys are accepted.
            "INSERT OR IGNORE INTO accepted_identities (name, identity_key) SELECT name, identity_key FROM identities WHERE trusted = 1",
            "CREATE TABLE IF NOT EXISTS sender_keys (name TEXT NOT NULL, device INTEGER NOT NULL, distribution_id TEXT NOT NULL, record BLOB NOT NULL, PRIMARY KEY (name, device, distribution_id))",
            "CREATE TABLE IF NOT EXISTS contacts (account_id TEXT PRIMARY KEY, username TEXT)",
            // History. (peer, id, outgoing) is unique: a message redelivered by the server is stored once.
            "CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, peer TEXT NOT NULL, outgoing INTEGER NOT NULL, body TEXT NOT NULL, timestamp INTEGER NOT NULL, status TEXT NOT NULL, UNIQUE (peer, id, outgoing))",
            "CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, recipient TEXT NOT NULL, kind TEXT NOT NULL, content BLOB NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL DEFAULT 0, held INTEGER NOT NULL DEFAULT 0)");
}
