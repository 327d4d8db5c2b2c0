package dev.courier.server.storage.postgres;

import dev.courier.server.push.webpush.VapidKeyStore;
import dev.courier.server.push.webpush.VapidKeys;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/// The VAPID key pair in the `server_keys` table, shared by every node. The first node to start
/// inserts one; `ON CONFLICT DO NOTHING` makes racing first starts agree on whichever landed.
public final class PostgresVapidKeyStore implements VapidKeyStore {
    private static final String NAME = "vapid";
    private final PostgresDatabase db;

    public PostgresVapidKeyStore(PostgresDatabase db) {
        this.db = db;
    }

    @Override
    public VapidKeys loadOrCreate() {
        String pem = db.autocommit(c -> {
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO server_keys (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING")) {
                insert.setString(1, NAME);
                insert.setString(2, VapidKeys.newPem());
                insert.setLong(3, System.currentTimeMillis());
                insert.executeUpdate();
            }
            try (PreparedStatement select = c.prepareStatement("SELECT value FROM server_keys WHERE name = ?")) {
                select.setString(1, NAME);
                try (ResultSet rs = select.executeQuery()) {
                    rs.next();
                    return rs.getString(1);
                }
            }
        });
        return VapidKeys.fromPem(pem, "the server_keys table (name 'vapid')");
    }
}
