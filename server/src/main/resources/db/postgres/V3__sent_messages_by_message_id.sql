-- Key the record of sends by message ID first. Clients make time-ordered (UUIDv7) message IDs, so
-- new records land on the index's rightmost pages instead of a random page each
-- (docs/BENCHMARKS.md). Lookups give both columns, so either order serves them.
ALTER TABLE sent_messages DROP CONSTRAINT sent_messages_pkey;
ALTER TABLE sent_messages ADD PRIMARY KEY (message_id, sender_account);
