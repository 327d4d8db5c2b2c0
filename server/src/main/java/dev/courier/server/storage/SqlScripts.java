package dev.courier.server.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;

/// Reads the migration scripts that ship inside the server jar (`db/<backend>/V<n>__<name>.sql`).
public final class SqlScripts {
    private SqlScripts() {}

    /// The script at classpath `resource`, e.g. `/db/postgres/V1__initial.sql`.
    public static String load(String resource) throws SQLException {
        try (InputStream in = SqlScripts.class.getResourceAsStream(resource)) {
            if (in == null) throw new SQLException("migration script " + resource + " is missing from the build");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SQLException("cannot read migration script " + resource, e);
        }
    }
}
