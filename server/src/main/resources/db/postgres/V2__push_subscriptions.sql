-- One push subscription per device, keyed by account like every device-owned table.
-- `kind` names the provider ('webpush' today), so FCM or APNs tokens can live here later.
CREATE TABLE push_subscriptions (
    account_id  uuid    NOT NULL,
    device_id   integer NOT NULL,
    kind        text    NOT NULL,
    endpoint    text    NOT NULL,
    p256dh      bytea   NOT NULL,
    auth        bytea   NOT NULL,
    updated_at  bigint  NOT NULL,
    PRIMARY KEY (account_id, device_id),
    FOREIGN KEY (account_id, device_id) REFERENCES devices (account_id, device_id) ON DELETE CASCADE
);

-- Secrets every node of a cluster must share, such as the VAPID key pair: created by the first
-- node that needs one, read by the others.
CREATE TABLE server_keys (
    name        text    NOT NULL PRIMARY KEY,
    value       text    NOT NULL,
    created_at  bigint  NOT NULL
);
