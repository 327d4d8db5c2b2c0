package dev.courier.server.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/// A cluster for one test: its own PostgreSQL database, its own Redis process, and server
/// processes on both, each with a node ID of its own. Everything is removed on close.
public final class ClusterFixture implements AutoCloseable {
    private final Path dir;
    private final PostgresTestDatabase database;
    private final RedisProcess redis;
    private final List<ServerProcess> nodes = new ArrayList<>();
    private final Map<String, String> settings;

    /// @param extra settings for every node, on top of the cluster defaults
    public ClusterFixture(int nodeCount, Map<String, String> extra) throws Exception {
        dir = Files.createTempDirectory("courier-cluster");
        database = PostgresTestDatabase.create();
        redis = new RedisProcess(dir);
        settings = new HashMap<>(database.serverSettings());
        settings.put("cluster.redisUrl", redis.url().toString());
        settings.put("cluster.keyPrefix", "courier-test-" + UUID.randomUUID().toString().substring(0, 8) + ":");
        settings.put("ratelimit.perIp", "1000000/1s");
        settings.put("ratelimit.registerPerIp", "1000000/1s");
        settings.put("ratelimit.sendPerAccount", "1000000/1s");
        settings.put("ratelimit.keyFetchPerAccount", "1000000/1s");
        settings.put("push.enabled", "false");
        settings.putAll(extra);
        try {
            for (int i = 1; i <= nodeCount; i++) nodes.add(startNode(i));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private ServerProcess startNode(int i) {
        Map<String, String> node = new HashMap<>(settings);
        node.put("cluster.nodeId", "node" + i);
        node.put("storage.dataDir", dir.resolve("node" + i).toString());
        return ServerProcess.start("node" + i, node, dir);
    }

    /// Node `i`, counting from 1.
    public ServerProcess node(int i) {
        return nodes.get(i - 1);
    }

    public List<ServerProcess> nodes() {
        return List.copyOf(nodes);
    }

    public RedisProcess redis() {
        return redis;
    }

    public Path logDir() {
        return dir;
    }

    @Override
    public void close() {
        for (ServerProcess node : nodes) node.close();
        redis.close();
        database.close();
        TestServer.deleteRecursively(dir);
    }
}
