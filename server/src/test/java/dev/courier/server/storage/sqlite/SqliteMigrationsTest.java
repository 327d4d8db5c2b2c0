package dev.courier.server.storage.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.server.messages.SentMessage;
import dev.courier.server.storage.SqlScripts;
import dev.courier.server.storage.Storage;
import dev.courier.server.testing.TestServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/// Upgrading a database file that an older server wrote: the data it holds survives each migration.
class SqliteMigrationsTest {
    private Path dataDir;

    @BeforeEach
    void createDirectory() throws Exception {
        dataDir = Files.createTempDirectory("courier-migration-test");
    }

    @AfterEach
    void deleteDirectory() {
        TestServer.deleteRecursively(dataDir);
    }

    private Connection connect() throws Exception {
        return DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(SqliteDatabase.FILE_NAME));
    }

    /// The database as a server of schema `version` left it, built from the shipped scripts.
    private void createAtVersion(int version, String... scripts) throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            for (String script : scripts) {
                for (String statement : SqlScripts.load("/db/sqlite/" + script).split(";\\s*\\n")) {
                    if (!statement.isBlank()) st.execute(statement);
                }
            }
            st.execute("PRAGMA user_version = " + version);
        }
    }

    @Test
    void sendRecordsSurviveBeingRekeyedByMessageId() throws Exception {
        createAtVersion(2, "V1__initial.sql", "V2__push_subscriptions.sql");
        UUID sender = UUID.randomUUID();
        UUID recipient = UUID.randomUUID();
        List<UUID> messageIds = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO sent_messages (sender_account, message_id, recipient_account, server_timestamp) VALUES (?, ?, ?, ?)")) {
            for (int i = 0; i < messageIds.size(); i++) {
                ps.setBytes(1, Uuids.toBytes(sender));
                ps.setBytes(2, Uuids.toBytes(messageIds.get(i)));
                ps.setBytes(3, Uuids.toBytes(recipient));
                ps.setLong(4, 1_000L + i);
                ps.executeUpdate();
            }
        }

        try (Storage storage = SqliteStorage.open(dataDir, new SimpleMeterRegistry())) {
            for (int i = 0; i < messageIds.size(); i++) {
                assertThat(storage.messages().findSent(sender, messageIds.get(i)))
                        .contains(new SentMessage(recipient, 1_000L + i));
            }
            assertThat(storage.messages().findSent(UUID.randomUUID(), messageIds.getFirst())).isEmpty();
        }

        try (Connection c = connect(); Statement st = c.createStatement()) {
            assertThat(userVersion(st)).isEqualTo(3);
            assertThat(primaryKey(st, "sent_messages")).containsExactly("message_id", "sender_account");
            assertThat(indexes(st, "sent_messages")).contains("sent_messages_by_time");
        }
    }

    private static int userVersion(Statement st) throws Exception {
        try (ResultSet rs = st.executeQuery("PRAGMA user_version")) {
            return rs.getInt(1);
        }
    }

    /// The primary key's columns, in key order.
    private static List<String> primaryKey(Statement st, String table) throws Exception {
        List<String> columns = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("SELECT name FROM pragma_table_info('" + table + "') WHERE pk > 0 ORDER BY pk")) {
            while (rs.next()) columns.add(rs.getString(1));
        }
        return columns;
    }

    private static List<String> indexes(Statement st, String table) throws Exception {
        List<String> names = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("SELECT name FROM pragma_index_list('" + table + "')")) {
            while (rs.next()) names.add(rs.getString(1));
        }
        return names;
    }
}
