-- Courier's PostgreSQL schema, version 1. UUIDs are `uuid`, byte strings `bytea`, times `bigint`
-- epoch milliseconds, as the storage ports use them.
--
-- Laid out to be sharded by account later (Citus, YugabyteDB): every table that grows with use
-- has a primary key that leads with the owning account, so one account's rows can live on one
-- shard and a send, a key fetch or an ack touches one shard. No hot-path row takes its key from a
-- global sequence: queue positions are counted per device (`device_queues.next_seq`). The global
-- lookups (`usernames`, `registration_tokens`) are keyed by their own value.

CREATE TABLE accounts (
    id          uuid    NOT NULL PRIMARY KEY,
    username    text    NOT NULL,
    created_at  bigint  NOT NULL,
    -- Device IDs are never reused within an account.
    next_device integer NOT NULL
);

-- Usernames are unique across accounts. The constraint lives in a table keyed by the username,
-- because a table sharded by account can only enforce uniqueness of keys that include the
-- account. No foreign key for the same reason; the account store writes both rows in one
-- transaction.
CREATE TABLE usernames (
    username    text NOT NULL PRIMARY KEY,
    account_id  uuid NOT NULL
);

CREATE TABLE devices (
    account_id          uuid    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    device_id           integer NOT NULL,
    name                text,
    registration_id     integer NOT NULL,
    credential_salt     bytea   NOT NULL,
    credential_hash     bytea   NOT NULL,
    identity_key        bytea   NOT NULL,
    signed_key_id       integer NOT NULL,
    signed_key          bytea   NOT NULL,
    signed_key_sig      bytea   NOT NULL,
    pq_last_resort_id   integer NOT NULL,
    pq_last_resort_key  bytea   NOT NULL,
    pq_last_resort_sig  bytea   NOT NULL,
    created_at          bigint  NOT NULL,
    last_seen           bigint  NOT NULL,
    PRIMARY KEY (account_id, device_id)
);

-- The head of each device's queue: the next position to hand out and the number of envelopes
-- queued. Every send updates this row under its lock (see PostgresMessageStore). It is kept out
-- of `devices`, whose rows carry about 2 KB of keys, so that each update writes a small row
-- version; the fill factor leaves room on the page for those updates to stay HOT.
CREATE TABLE device_queues (
    account_id  uuid    NOT NULL,
    device_id   integer NOT NULL,
    next_seq    bigint  NOT NULL DEFAULT 1,
    depth       integer NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, device_id),
    FOREIGN KEY (account_id, device_id) REFERENCES devices (account_id, device_id) ON DELETE CASCADE
) WITH (fillfactor = 70);

CREATE TABLE registration_tokens (
    token_hash  bytea   NOT NULL PRIMARY KEY,
    uses_left   integer NOT NULL,
    expires_at  bigint,
    created_at  bigint  NOT NULL
);

CREATE TABLE one_time_pre_keys (
    account_id  uuid    NOT NULL,
    device_id   integer NOT NULL,
    key_id      integer NOT NULL,
    public_key  bytea   NOT NULL,
    PRIMARY KEY (account_id, device_id, key_id),
    FOREIGN KEY (account_id, device_id) REFERENCES devices (account_id, device_id) ON DELETE CASCADE
);

CREATE TABLE one_time_pq_pre_keys (
    account_id  uuid    NOT NULL,
    device_id   integer NOT NULL,
    key_id      integer NOT NULL,
    public_key  bytea   NOT NULL,
    signature   bytea   NOT NULL,
    PRIMARY KEY (account_id, device_id, key_id),
    FOREIGN KEY (account_id, device_id) REFERENCES devices (account_id, device_id) ON DELETE CASCADE
);

-- One row per queued envelope. `seq` orders a device's queue and is never reused for that
-- device, because a live connection reads its queue as "seq greater than the last one sent".
CREATE TABLE envelopes (
    account_id        uuid    NOT NULL,
    device_id         integer NOT NULL,
    seq               bigint  NOT NULL,
    guid              uuid    NOT NULL,
    type              integer NOT NULL,
    source_account    uuid,
    source_device     integer,
    message_id        uuid,
    client_timestamp  bigint,
    server_timestamp  bigint  NOT NULL,
    content           bytea,
    expired_ids       uuid[],
    expires_at        bigint  NOT NULL,
    PRIMARY KEY (account_id, device_id, seq),
    UNIQUE (account_id, device_id, guid),
    FOREIGN KEY (account_id, device_id) REFERENCES devices (account_id, device_id) ON DELETE CASCADE
);
-- Ciphertext does not compress: store it out of line without trying.
ALTER TABLE envelopes ALTER COLUMN content SET STORAGE EXTERNAL;
CREATE INDEX envelopes_by_expiry ON envelopes (expires_at);

-- Accepted sends, kept for idempotency: a retry with the same message ID finds its first answer.
CREATE TABLE sent_messages (
    sender_account    uuid    NOT NULL,
    message_id        uuid    NOT NULL,
    recipient_account uuid    NOT NULL,
    server_timestamp  bigint  NOT NULL,
    PRIMARY KEY (sender_account, message_id)
);
CREATE INDEX sent_messages_by_time ON sent_messages (server_timestamp);
