package dev.courier.server.storage.sqlite;

import java.sql.SQLException;

/// A unit of database work run on one connection. Write work runs inside a shared group-commit
/// transaction, in a savepoint of its own unless it checks before it writes (see
/// [GroupCommitWriter]); it must not commit, roll back or keep the session.
@FunctionalInterface
interface SqlWork<T> {
    T run(SqlSession session) throws SQLException;
}
