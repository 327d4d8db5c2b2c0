package dev.courier.server.storage.postgres;

import dev.courier.server.storage.SqlScripts;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/// Brings the schema up to date from the numbered scripts under `db/postgres/`, recording each
/// applied version in `schema_migrations`.
///
/// Several nodes may start at once against one database. Each version is applied in its own
/// transaction that first takes a transaction-scoped advisory lock, so one node migrates while
/// the others wait, then find the version recorded and move on. A crash mid-script rolls the
/// whole version back.
final class PostgresMigrations {
    private static final Logger log = LoggerFactory.getLogger(PostgresMigrations.class);
    /// Append only; never edit a script that has shipped.
    static final List<String> SCRIPTS = List.of("V1__initial.sql", "V2__push_subscriptions.sql");
    /// The advisory lock key: "courier" in ASCII. Any constant works, as long as every node uses it.
    private static final long LOCK_KEY = 0x636f7572696572L;

    private PostgresMigrations() {}

    static void apply(DataSource db) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                while (applyNext(c)) {
                    // One version per transaction.
                }
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /// Applies the next missing version and commits; false when the schema was already current.
    private static boolean applyNext(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")");
            st.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at bigint NOT NULL)");
        }
        int current = currentVersion(c);
        if (current > SCRIPTS.size()) {
            throw new SQLException("the database schema (version " + current + ") is newer than this server ("
                    + SCRIPTS.size() + "); upgrade the server");
        }
        if (current == SCRIPTS.size()) {
            c.commit();
            return false;
        }
        int version = current + 1;
        try (Statement st = c.createStatement()) {
            st.execute(SqlScripts.load("/db/postgres/" + SCRIPTS.get(version - 1)));
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)")) {
            ps.setInt(1, version);
            ps.setLong(2, System.currentTimeMillis());
            ps.executeUpdate();
        }
        c.commit();
        log.info("PostgreSQL schema migrated to version {}", version);
        return true;
    }

    static int currentVersion(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT coalesce(max(version), 0) FROM schema_migrations")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
