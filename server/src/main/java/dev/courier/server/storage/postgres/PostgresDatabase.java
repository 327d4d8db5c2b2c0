package dev.courier.server.storage.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.courier.server.config.ServerConfig;
import dev.courier.server.storage.Storage;
import dev.courier.server.storage.StorageException;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/// The PostgreSQL record of truth: a HikariCP pool of connections to one database, whose schema
/// is brought up to date when it opens.
///
/// Every store method is one [#transaction] (or one statement through [#autocommit]) at
/// READ COMMITTED, PostgreSQL's default. Where two requests could race, the stores say so in SQL:
/// `ON CONFLICT` for unique claims, row locks (`UPDATE`, `SELECT ... FOR UPDATE`) where a check
/// must hold until commit, `SKIP LOCKED` where concurrent takers must not take the same row.
///
/// Durability: a commit returns once PostgreSQL has flushed it, with the server's default
/// `synchronous_commit=on`; a send is answered only after its commit. A server set to `off` is
/// reported at start-up, because it breaks Courier's promise that a `200` means on disk.
///
/// Thread-safe: the pool hands each call its own connection.
public final class PostgresDatabase implements Storage.Database {
    private static final Logger log = LoggerFactory.getLogger(PostgresDatabase.class);
    static final String POOL_NAME = "courier-postgres";
    /// Deadlocks and serialization failures abort a transaction that did nothing wrong; it is
    /// run again from the start (each unit of work is a whole transaction, so that is safe).
    private static final Set<String> RETRYABLE_STATES = Set.of("40001", "40P01");
    private static final int MAX_ATTEMPTS = 3;

    private final HikariDataSource pool;
    private final String location;

    /// A unit of work on one connection. Inside [#transaction] it must not commit or roll back.
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    public PostgresDatabase(ServerConfig.Postgres config, MeterRegistry metrics) {
        this.location = withoutParameters(config.url());
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName(POOL_NAME);
        hikari.setJdbcUrl(config.url());
        if (!config.user().isEmpty()) hikari.setUsername(config.user());
        config.password().ifPresent(p -> hikari.setPassword(p.reveal()));
        hikari.setMaximumPoolSize(config.poolSize());
        hikari.setConnectionTimeout(TimeUnit.SECONDS.toMillis(10));
        hikari.addDataSourceProperty("ApplicationName", "courier");
        hikari.addDataSourceProperty("tcpKeepAlive", "true");
        hikari.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(metrics));
        try {
            // Fails at once if the database cannot be reached: better than a server that starts
            // and answers every request with 500.
            this.pool = new HikariDataSource(hikari);
        } catch (RuntimeException e) {
            throw new StorageException("cannot connect to PostgreSQL at " + location, e);
        }
        try {
            warnIfCommitsAreNotDurable();
            PostgresMigrations.apply(pool);
        } catch (SQLException | RuntimeException e) {
            pool.close();
            throw new StorageException("cannot prepare the PostgreSQL database at " + location, e);
        }
        log.info("PostgreSQL database at {} (pool of {})", location, config.poolSize());
    }

    /// Runs `work` in one transaction and commits it. Refusals thrown by the work
    /// ([dev.courier.server.ServiceException]) roll it back and reach the caller unchanged.
    public <T> T transaction(Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = pool.getConnection()) {
                c.setAutoCommit(false);
                try {
                    T result = work.run(c);
                    c.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    rollback(c, e);
                    throw e;
                }
            } catch (SQLException e) {
                if (attempt < MAX_ATTEMPTS && RETRYABLE_STATES.contains(e.getSQLState())) {
                    log.debug("transaction aborted by PostgreSQL ({}); running it again", e.getSQLState());
                    continue;
                }
                throw new StorageException("PostgreSQL transaction failed", e);
            }
        }
    }

    /// Runs `work` in autocommit mode: each statement is its own transaction. For reads, and for
    /// writes that are a single statement.
    public <T> T autocommit(Work<T> work) {
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new StorageException("PostgreSQL query failed", e);
        }
    }

    /// True when a pooled connection can query the database.
    @Override
    public boolean isHealthy() {
        try {
            return autocommit(c -> {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
                    return rs.next();
                }
            });
        } catch (StorageException e) {
            return false;
        }
    }

    /// The JDBC URL without its parameters, which may hold credentials.
    @Override
    public String describe() {
        return "PostgreSQL at " + location;
    }

    private void warnIfCommitsAreNotDurable() {
        String setting = autocommit(c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW synchronous_commit")) {
                return rs.next() ? rs.getString(1) : "";
            }
        });
        if (setting.equals("off")) {
            log.warn("PostgreSQL has synchronous_commit=off: a send can be answered before it is durable, and a "
                    + "database crash can lose acknowledged messages. Set it to 'on' for the courier database.");
        }
    }

    private static void rollback(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    static String withoutParameters(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }

    @Override
    public void close() {
        pool.close();
    }
}
