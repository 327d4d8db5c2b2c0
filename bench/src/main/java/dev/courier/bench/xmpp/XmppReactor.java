package dev.courier.bench.xmpp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/// One selector thread for every XMPP connection of the generator: a connection costs a socket
/// and its buffers, never a thread, as on the Courier side (Jetty's selectors).
///
/// Invariants: only the reactor thread registers channels, reads, and calls a connection's
/// `on*` methods, so a connection sees its bytes in order. Any thread may write
/// ([XmppConnection#send]); a write that does not fit in the socket buffer waits in the
/// connection and the reactor finishes it when the socket becomes writable.
public final class XmppReactor implements AutoCloseable {
    private final Selector selector;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(256 * 1024);
    private final byte[] bytes = new byte[256 * 1024];
    private final Thread thread;
    private volatile boolean running = true;

    public XmppReactor() {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new XmppException("cannot open a selector: " + e.getMessage());
        }
        thread = Thread.ofPlatform().daemon().name("xmpp-reactor").start(this::loop);
    }

    /// Starts connecting `connection` to `server`; its `onConnected` follows on the reactor.
    void connect(XmppConnection connection, InetSocketAddress server) {
        execute(() -> {
            try {
                SocketChannel channel = SocketChannel.open();
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                SelectionKey key = channel.register(selector, SelectionKey.OP_CONNECT, connection);
                connection.attach(channel, key);
                if (channel.connect(server)) connected(key, connection);
            } catch (IOException e) {
                connection.fail("cannot connect to " + server + ": " + e.getMessage());
            }
        });
    }

    /// Runs `task` on the reactor thread.
    void execute(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    void wakeup() {
        selector.wakeup();
    }

    private void loop() {
        while (running) {
            try {
                selector.select();
                for (Runnable task; (task = tasks.poll()) != null; ) task.run();
                for (SelectionKey key : selector.selectedKeys()) handle(key);
                selector.selectedKeys().clear();
            } catch (IOException | RuntimeException e) {
                if (running) System.err.println("xmpp reactor: " + e);
            }
        }
    }

    private void handle(SelectionKey key) {
        XmppConnection connection = (XmppConnection) key.attachment();
        try {
            if (key.isValid() && key.isConnectable() && ((SocketChannel) key.channel()).finishConnect()) connected(key, connection);
            if (key.isValid() && key.isReadable()) read(key, connection);
            if (key.isValid() && key.isWritable()) connection.flush();
        } catch (IOException e) {
            connection.fail(e.getMessage());
        }
    }

    private static void connected(SelectionKey key, XmppConnection connection) {
        key.interestOps(SelectionKey.OP_READ);
        connection.onConnected();
    }

    private void read(SelectionKey key, XmppConnection connection) throws IOException {
        readBuffer.clear();
        int n = ((SocketChannel) key.channel()).read(readBuffer);
        if (n < 0) {
            connection.fail("the server closed the connection");
            return;
        }
        readBuffer.flip();
        readBuffer.get(bytes, 0, n);
        connection.onBytes(bytes, n, System.nanoTime());
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            thread.join(5_000);
            for (SelectionKey key : selector.keys()) key.channel().close();
            selector.close();
        } catch (IOException e) {
            // best effort at the end of a run
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
