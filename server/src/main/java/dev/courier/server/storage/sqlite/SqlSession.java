package dev.courier.server.storage.sqlite;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.sqlite.SQLiteConnection;

/// One SQLite connection with a cache of prepared statements. Not thread-safe: a session is
/// used by one thread at a time (the writer thread, or a reader that took it from the pool).
final class SqlSession implements AutoCloseable {
    private final Connection connection;
    private final Map<String, PreparedStatement> statements = new HashMap<>();
    /// What the running write unit asked to do once its transaction commits (see [#afterCommit]).
    private final List<Runnable> afterCommit = new ArrayList<>();

    SqlSession(Connection connection) {
        this.connection = connection;
    }

    /// A prepared statement for `sql`, reused across calls. Callers set every parameter and close
    /// only the result sets, never the statement.
    PreparedStatement prepare(String sql) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            ps = connection.prepareStatement(sql);
            statements.put(sql, ps);
        }
        return ps;
    }

    /// Runs `action` on the writer thread once the transaction holding the current write unit has
    /// committed, after the actions of the units before it: in commit order. It never runs if the
    /// unit fails or the commit does. Only the writer's session takes actions.
    void afterCommit(Runnable action) {
        afterCommit.add(action);
    }

    /// Hands over the actions the unit just run asked for, and forgets them here.
    List<Runnable> takeAfterCommit() {
        if (afterCommit.isEmpty()) return List.of();
        List<Runnable> taken = List.copyOf(afterCommit);
        afterCommit.clear();
        return taken;
    }

    Connection connection() {
        return connection;
    }

    /// Rows changed by this connection's statements since it opened (`sqlite3_total_changes64`):
    /// a statement that failed counts none, since SQLite undoes it whole.
    long totalChanges() throws SQLException {
        return connection.unwrap(SQLiteConnection.class).getDatabase().total_changes();
    }

    void execute(String sql) throws SQLException {
        try (var st = connection.createStatement()) {
            st.execute(sql);
        }
    }

    @Override
    public void close() throws SQLException {
        for (PreparedStatement ps : statements.values()) ps.close();
        statements.clear();
        connection.close();
    }
}
