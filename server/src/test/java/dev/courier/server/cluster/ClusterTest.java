package dev.courier.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.server.testing.ClusterFixture;
import dev.courier.server.testing.Inbox;
import dev.courier.server.testing.ServerProcess;
import dev.courier.server.testing.TestClient;
import dev.courier.server.testing.TestSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/// Three server processes on one PostgreSQL database and one Redis: delivery across nodes, and
/// nothing acknowledged lost when a node is killed or Redis restarts.
class ClusterTest {

    /// A counter or gauge from the node's `/metrics`, 0 if absent.
    static double metric(ServerProcess node, String name) {
        String scrape;
        try (var client = java.net.http.HttpClient.newHttpClient()) {
            scrape = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(node.baseUrl() + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        for (String line : scrape.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aSendOnOneNodeIsPushedToASocketOnAnotherWithoutPollingAndANewerSocketReplacesIt() throws Exception {
        // Catch-up passes only every minute: a delivery within seconds can only be the Redis signal.
        try (var cluster = new ClusterFixture(3, Map.of("cluster.catchUpInterval", "60s"))) {
            var onNode1 = new TestClient(cluster.node(1).baseUrl());
            var alice = onNode1.register("alice");
            var bob = onNode1.register("bob");
            try (var socket = TestSocket.connect(cluster.node(2).wsUrl(), bob)) {
                socket.expectQueueEmpty();
                for (int i = 0; i < 5; i++) {
                    long t0 = System.nanoTime();
                    assertThat(onNode1.send(alice, text("hello " + i), bob).status()).isEqualTo(200);
                    var envelope = socket.nextEnvelope();
                    assertThat(TestSocket.text(envelope)).isEqualTo("hello " + i);
                    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
                    socket.ack(envelope.guid());
                }
                // A device has one live connection cluster-wide: connecting on node 3 closes the one on node 2.
                try (var newer = TestSocket.connect(cluster.node(3).wsUrl(), bob)) {
                    newer.expectQueueEmpty();
                    assertThat(socket.awaitClose(Duration.ofSeconds(5))).isEqualTo(4000);
                }
            }
            assertThat(metric(cluster.node(1), "courier_cluster_signals_sent_total")).isEqualTo(5.0);
            assertThat(metric(cluster.node(2), "courier_delivery_online_total")).isZero();
            assertThat(metric(cluster.node(1), "courier_delivery_online_total")).isEqualTo(5.0);
        }
    }

    @Test
    void aNodeKilledMidStreamLosesNothingThatWasAcknowledged() throws Exception {
        try (var cluster = new ClusterFixture(3, Map.of())) {
            var alice = new TestClient(cluster.node(1).baseUrl()).register("alice");
            var bob = new TestClient(cluster.node(1).baseUrl()).register("bob");
            Set<String> received = Inbox.newTextSet();
            Set<String> accepted = ConcurrentHashMap.newKeySet();
            int refused = 0;
            try (var first = new Inbox(TestSocket.connect(cluster.node(2).wsUrl(), bob), received)) {
                List<TestClient> senders = new ArrayList<>();
                for (ServerProcess node : cluster.nodes()) senders.add(new TestClient(node.baseUrl()));
                for (int i = 0; i < 300; i++) {
                    if (i == 100) cluster.node(2).kill(); // Bob's node, mid-stream
                    String body = "m" + i;
                    try {
                        if (senders.get(i % 3).send(alice, text(body), bob).status() == 200) accepted.add(body);
                    } catch (RuntimeException nodeDown) {
                        refused++; // not acknowledged, so the sender would retry it; not ours to count
                    }
                }
                Awaitility.await().atMost(10, TimeUnit.SECONDS).until(first::isClosed);
            }
            assertThat(refused).as("sends to the killed node failed").isGreaterThan(0);
            assertThat(accepted).hasSizeGreaterThan(150);

            // Bob reconnects to a surviving node and gets everything that was acknowledged.
            try (var second = new Inbox(TestSocket.connect(cluster.node(3).wsUrl(), bob), received)) {
                Awaitility.await().atMost(20, TimeUnit.SECONDS).until(() -> received.containsAll(accepted));
            }
            assertThat(received).containsAll(accepted);
        }
    }

    @Test
    void aRedisRestartMidStreamLosesNothingAndSignalsResume() throws Exception {
        try (var cluster = new ClusterFixture(3, Map.of("cluster.catchUpInterval", "1s"))) {
            var onNode1 = new TestClient(cluster.node(1).baseUrl());
            var alice = onNode1.register("alice");
            var bob = onNode1.register("bob");
            Set<String> received = Inbox.newTextSet();
            Set<String> accepted = ConcurrentHashMap.newKeySet();
            try (var inbox = new Inbox(TestSocket.connect(cluster.node(2).wsUrl(), bob), received)) {
                Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> inbox.queueEmptyCount() > 0);
                for (int i = 0; i < 200; i++) {
                    if (i == 50) cluster.redis().stop();
                    if (i == 150) cluster.redis().start();
                    String body = "m" + i;
                    // Every send commits and answers 200, with Redis or without.
                    assertThat(onNode1.send(alice, text(body), bob).status()).as(body).isEqualTo(200);
                    accepted.add(body);
                    Thread.sleep(10);
                }
                Awaitility.await().atMost(20, TimeUnit.SECONDS).until(() -> received.containsAll(accepted));
                // While Redis was away, Bob's node re-read his queue from storage.
                assertThat(metric(cluster.node(2), "courier_cluster_catchups_total")).isPositive();

                // Once both nodes are back on Redis, a send reaches Bob by signal again, not by catch-up.
                Awaitility.await().atMost(20, TimeUnit.SECONDS).until(() ->
                        metric(cluster.node(1), "courier_cluster_redis_connected") == 1.0
                                && metric(cluster.node(2), "courier_cluster_redis_connected") == 1.0);
                double signalsBefore = metric(cluster.node(1), "courier_cluster_signals_sent_total");
                assertThat(onNode1.send(alice, text("after"), bob).status()).isEqualTo(200);
                Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> received.contains("after"));
                assertThat(metric(cluster.node(1), "courier_cluster_signals_sent_total")).isEqualTo(signalsBefore + 1);
            }
        }
    }
}
