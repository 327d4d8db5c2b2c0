package dev.courier.server.storage.sqlite;

import java.sql.SQLException;

/// A unit of database work run on one connection. Write work runs inside a savepoint of a
/// shared group-commit transaction; it must not commit, roll back or keep the session.
@FunctionalInterface
interface SqlWork<T> {
    T run(SqlSession session) throws SQLException;
}
