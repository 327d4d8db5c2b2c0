package dev.courier.server.storage.sqlite;

import dev.courier.server.storage.SqlScripts;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/// Brings the schema up to date from the numbered scripts under `db/sqlite/`. Each script runs in
/// one transaction together with the bump of `PRAGMA user_version`, so a crash mid-migration
/// leaves the previous version intact.
final class SqliteMigrations {
    private static final Logger log = LoggerFactory.getLogger(SqliteMigrations.class);
    /// Append only; never edit a script that has shipped.
    private static final List<String> SCRIPTS = List.of("V1__initial.sql", "V2__push_subscriptions.sql");

    private SqliteMigrations() {}

    static void apply(SqlSession session) throws SQLException {
        int current;
        try (ResultSet rs = session.connection().createStatement().executeQuery("PRAGMA user_version")) {
            current = rs.next() ? rs.getInt(1) : 0;
        }
        if (current > SCRIPTS.size()) {
            throw new SQLException("the database schema (version " + current + ") is newer than this server ("
                    + SCRIPTS.size() + "); upgrade the server");
        }
        for (int version = current + 1; version <= SCRIPTS.size(); version++) {
            String script = SqlScripts.load("/db/sqlite/" + SCRIPTS.get(version - 1));
            session.connection().setAutoCommit(false);
            try {
                for (String statement : script.split(";\\s*\\n")) {
                    if (!statement.isBlank()) session.execute(statement);
                }
                session.execute("PRAGMA user_version = " + version);
                session.connection().commit();
            } catch (SQLException e) {
                session.connection().rollback();
                throw e;
            } finally {
                session.connection().setAutoCommit(true);
            }
            log.info("database schema migrated to version {}", version);
        }
    }

}
