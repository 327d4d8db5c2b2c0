package dev.courier.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.server.testing.TestServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HelloTest {
    @Test
    void helloIsDeliveredAndDecrypted() throws Exception {
        Path dir = Files.createTempDirectory("clients");
        try (var server = new TestServer();
             var alice = CourierClient.register(dir.resolve("alice"), URI.create(server.baseUrl()), "alice", null);
             var bob = CourierClient.register(dir.resolve("bob"), URI.create(server.baseUrl()), "bob", null)) {
            var inbox = new LinkedBlockingQueue<Message>();
            bob.addListener(new ClientListener() {
                @Override
                public void onMessage(Message m) {
                    inbox.add(m);
                }
            });
            assertThat(bob.connect(Duration.ofSeconds(10))).isTrue();
            alice.connect(Duration.ofSeconds(10));
            var sent = alice.send("bob", "Hello!");
            Message got = inbox.poll(10, TimeUnit.SECONDS);
            assertThat(got).isNotNull();
            assertThat(got.body()).isEqualTo("Hello!");
            assertThat(got.peerName()).isEqualTo("alice");
            assertThat(alice.awaitStatus(sent.id(), MessageStatus.DELIVERED, Duration.ofSeconds(10))).isEqualTo(MessageStatus.DELIVERED);
            bob.markRead("alice");
            assertThat(alice.awaitStatus(sent.id(), MessageStatus.READ, Duration.ofSeconds(10))).isEqualTo(MessageStatus.READ);
            var reply = bob.send("alice", "Hi!");
            assertThat(bob.awaitStatus(reply.id(), MessageStatus.DELIVERED, Duration.ofSeconds(10))).isEqualTo(MessageStatus.DELIVERED);
            assertThat(alice.safetyNumber("bob").digits()).isEqualTo(bob.safetyNumber("alice").digits()).hasSize(60);
        } finally {
            TestServer.deleteRecursively(dir);
        }
    }
}
