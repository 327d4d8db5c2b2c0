package dev.courier.server.cluster;

import static dev.courier.server.cluster.ClusterTest.metric;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.server.testing.ClusterFixture;
import dev.courier.server.testing.NginxProcess;
import dev.courier.server.testing.ServerProcess;
import dev.courier.server.testing.TestClient;
import dev.courier.server.testing.TestSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/// The whole story through nginx in front of three nodes, with the example configuration from
/// `deploy/nginx/courier.conf`: the HTTP API is balanced across the nodes, and the delivery
/// WebSocket upgrade goes through nginx to whichever node it lands on.
class NginxClusterTest {

    @Test
    void registerSendAndReceiveThroughNginx() throws Exception {
        try (var cluster = new ClusterFixture(3, Map.of("cluster.catchUpInterval", "60s"));
             var nginx = new NginxProcess(cluster.nodes(), cluster.logDir())) {
            var client = new TestClient(nginx.baseUrl());
            var alice = client.register("alice");
            var bob = client.register("bob");
            try (var socket = TestSocket.connect(nginx.wsUrl(), bob)) {
                socket.expectQueueEmpty();
                for (int i = 0; i < 12; i++) {
                    var response = client.send(alice, ("Hello " + i).getBytes(StandardCharsets.UTF_8), bob);
                    assertThat(response.status()).isEqualTo(200);
                    var envelope = socket.nextEnvelope();
                    assertThat(TestSocket.text(envelope)).isEqualTo("Hello " + i);
                    socket.ack(envelope.guid());
                }
            }
            // Round-robin spread the sends over the nodes, so most reached Bob's socket from
            // another node, through Redis.
            int nodesThatTookSends = 0;
            double sent = 0;
            for (ServerProcess node : cluster.nodes()) {
                double n = metric(node, "courier_messages_sent_total");
                sent += n;
                if (n > 0) nodesThatTookSends++;
            }
            assertThat(sent).isEqualTo(12.0);
            assertThat(nodesThatTookSends).isGreaterThanOrEqualTo(2);
            double signals = 0;
            for (ServerProcess node : cluster.nodes()) signals += metric(node, "courier_cluster_signals_sent_total");
            assertThat(signals).isPositive();
        }
    }
}
