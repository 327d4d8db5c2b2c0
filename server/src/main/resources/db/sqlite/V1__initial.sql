-- UUIDs are 16-byte big-endian blobs; times are epoch milliseconds.

CREATE TABLE accounts (
    id          BLOB    NOT NULL PRIMARY KEY,
    username    TEXT    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    -- Device IDs are never reused within an account.
    next_device INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE devices (
    account_id          BLOB    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    device_id           INTEGER NOT NULL,
    name                TEXT,
    registration_id     INTEGER NOT NULL,
    credential_salt     BLOB    NOT NULL,
    credential_hash     BLOB    NOT NULL,
    identity_key        BLOB    NOT NULL,
    signed_key_id       INTEGER NOT NULL,
    signed_key          BLOB    NOT NULL,
    signed_key_sig      BLOB    NOT NULL,
    pq_last_resort_id   INTEGER NOT NULL,
    pq_last_resort_key  BLOB    NOT NULL,
    pq_last_resort_sig  BLOB    NOT NULL,
    created_at          INTEGER NOT NULL,
    last_seen           INTEGER NOT NULL,
    PRIMARY KEY (account_id, device_id)
) WITHOUT ROWID;

CREATE TABLE registration_tokens (
    token_hash  BLOB    NOT NULL PRIMARY KEY,
    uses_left   INTEGER NOT NULL,
    expires_at  INTEGER,
    created_at  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE one_time_pre_keys (
    account_id  BLOB    NOT NULL,
    device_id   INTEGER NOT NULL,
    key_id      INTEGER NOT NULL,
    public_key  BLOB    NOT NULL,
    PRIMARY KEY (account_id, device_id, key_id),
    FOREIGN KEY (account_id, device_id) REFERENCES devices (account_id, device_id) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE one_time_pq_pre_keys (
    account_id  BLOB    NOT NULL,
    device_id   INTEGER NOT NULL,
    key_id      INTEGER NOT NULL,
    public_key  BLOB    NOT NULL,
    signature   BLOB    NOT NULL,
    PRIMARY KEY (account_id, device_id, key_id),
    FOREIGN KEY (account_id, device_id) REFERENCES devices (account_id, device_id) ON DELETE CASCADE
) WITHOUT ROWID;

-- AUTOINCREMENT: seq must never be reused, even after the newest row is deleted, because a live
-- connection reads its queue from "seq greater than the last one sent".
CREATE TABLE envelopes (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    guid              BLOB    NOT NULL UNIQUE,
    account_id        BLOB    NOT NULL,
    device_id         INTEGER NOT NULL,
    type              INTEGER NOT NULL,
    source_account    BLOB,
    source_device     INTEGER,
    message_id        BLOB,
    client_timestamp  INTEGER,
    server_timestamp  INTEGER NOT NULL,
    content           BLOB,
    expired_ids       BLOB,
    expires_at        INTEGER NOT NULL,
    FOREIGN KEY (account_id, device_id) REFERENCES devices (account_id, device_id) ON DELETE CASCADE
);
CREATE INDEX envelopes_by_queue ON envelopes (account_id, device_id, seq);
CREATE INDEX envelopes_by_expiry ON envelopes (expires_at);

CREATE TABLE queue_depths (
    account_id  BLOB    NOT NULL,
    device_id   INTEGER NOT NULL,
    depth       INTEGER NOT NULL,
    PRIMARY KEY (account_id, device_id),
    FOREIGN KEY (account_id, device_id) REFERENCES devices (account_id, device_id) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE sent_messages (
    sender_account    BLOB    NOT NULL,
    message_id        BLOB    NOT NULL,
    recipient_account BLOB    NOT NULL,
    server_timestamp  INTEGER NOT NULL,
    PRIMARY KEY (sender_account, message_id)
) WITHOUT ROWID;
CREATE INDEX sent_messages_by_time ON sent_messages (server_timestamp);
