-- One push subscription per device. `kind` names the provider ('webpush' today), so FCM or APNs
-- tokens can live here later without a schema change.
CREATE TABLE push_subscriptions (
    account_id  BLOB    NOT NULL,
    device_id   INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    endpoint    TEXT    NOT NULL,
    p256dh      BLOB    NOT NULL,
    auth        BLOB    NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (account_id, device_id),
    FOREIGN KEY (account_id, device_id) REFERENCES devices (account_id, device_id) ON DELETE CASCADE
) WITHOUT ROWID;
