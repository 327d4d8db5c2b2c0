package dev.courier.server.testing;

import dev.courier.server.config.Secret;
import dev.courier.server.config.ServerConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

/// A throwaway database on the machine's PostgreSQL server: `courier_test_<random hex>`, created
/// empty and dropped by [#close] (with any connections still open to it).
///
/// The server is found at `jdbc:postgresql://127.0.0.1:5432/postgres` as user `postgres`, or where
/// `COURIER_TEST_POSTGRES_URL`, `COURIER_TEST_POSTGRES_USER` and `COURIER_TEST_POSTGRES_PASSWORD`
/// say. If it cannot be reached the test fails, saying so: CI always runs PostgreSQL, so a silent
/// skip would hide a broken backend.
public final class PostgresTestDatabase implements AutoCloseable {
    private static final String ADMIN_URL = setting("COURIER_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
    private static final String USER = setting("COURIER_TEST_POSTGRES_USER", "postgres");
    private static final String PASSWORD = setting("COURIER_TEST_POSTGRES_PASSWORD", "");
    /// Enough connections for the storage race tests, few enough for parallel builds on one server.
    private static final int POOL_SIZE = 8;

    private final String name;
    private final String url;
    private boolean dropped;

    private PostgresTestDatabase(String name) {
        this.name = name;
        this.url = urlFor(name);
    }

    /// Creates a new, empty database.
    public static PostgresTestDatabase create() {
        byte[] random = new byte[8];
        ThreadLocalRandom.current().nextBytes(random);
        // The name is generated here from hex digits, so it is safe to put into the statement.
        String name = "courier_test_" + HexFormat.of().formatHex(random);
        // template0: template1 may be in use by another client, which would make CREATE fail.
        execute("CREATE DATABASE " + name + " TEMPLATE template0");
        return new PostgresTestDatabase(name);
    }

    public String name() {
        return name;
    }

    public String url() {
        return url;
    }

    /// Settings for a [ServerConfig] on this database.
    public ServerConfig.Postgres config() {
        return new ServerConfig.Postgres(url, USER, PASSWORD.isEmpty() ? Optional.empty() : Optional.of(new Secret(PASSWORD)),
                POOL_SIZE);
    }

    /// The config keys that put a [TestServer] on this database: `new TestServer(db.serverSettings())`.
    public Map<String, String> serverSettings() {
        return Map.of("storage.backend", "postgres", "storage.postgres.url", url, "storage.postgres.user", USER,
                "storage.postgres.password", PASSWORD, "storage.postgres.poolSize", Integer.toString(POOL_SIZE));
    }

    /// A plain connection to this database, for tests that look at the schema itself.
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url, credentials());
    }

    /// Drops the database, closing whatever is still connected to it.
    @Override
    public void close() {
        if (dropped) return;
        dropped = true;
        execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    private static void execute(String sql) {
        Connection admin;
        try {
            admin = DriverManager.getConnection(ADMIN_URL, credentials());
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL is not reachable at " + ADMIN_URL + " as user '" + USER + "' ("
                    + e.getMessage() + "). The PostgreSQL tests need a running server: CI starts one; locally start it "
                    + "(e.g. pg_ctlcluster 15 main start) or set COURIER_TEST_POSTGRES_URL.", e);
        }
        try (admin; Statement st = admin.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL refused '" + sql + "': " + e.getMessage(), e);
        }
    }

    private static Properties credentials() {
        Properties p = new Properties();
        p.setProperty("user", USER);
        if (!PASSWORD.isEmpty()) p.setProperty("password", PASSWORD);
        return p;
    }

    /// The admin URL with its database name replaced by `database`, keeping any parameters.
    private static String urlFor(String database) {
        int query = ADMIN_URL.indexOf('?');
        String base = query < 0 ? ADMIN_URL : ADMIN_URL.substring(0, query);
        String parameters = query < 0 ? "" : ADMIN_URL.substring(query);
        return base.substring(0, base.lastIndexOf('/') + 1) + database + parameters;
    }

    private static String setting(String variable, String fallback) {
        String value = System.getenv(variable);
        return value == null || value.isBlank() ? fallback : value;
    }
}
