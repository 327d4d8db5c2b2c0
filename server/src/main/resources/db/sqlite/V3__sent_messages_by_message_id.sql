-- Key the record of sends by message ID first. Clients make time-ordered (UUIDv7) message IDs, so
-- new records land on the index's newest pages and a commit rewrites a few pages for hundreds of
-- sends; keyed by sender first, each send dirtied a page of its own (docs/BENCHMARKS.md).
-- SQLite cannot change a primary key in place: build the new table, copy, swap.
CREATE TABLE sent_messages_by_id (
    message_id        BLOB    NOT NULL,
    sender_account    BLOB    NOT NULL,
    recipient_account BLOB    NOT NULL,
    server_timestamp  INTEGER NOT NULL,
    PRIMARY KEY (message_id, sender_account)
) WITHOUT ROWID;
INSERT INTO sent_messages_by_id (message_id, sender_account, recipient_account, server_timestamp)
    SELECT message_id, sender_account, recipient_account, server_timestamp FROM sent_messages;
DROP TABLE sent_messages;
ALTER TABLE sent_messages_by_id RENAME TO sent_messages;
CREATE INDEX sent_messages_by_time ON sent_messages (server_timestamp);
