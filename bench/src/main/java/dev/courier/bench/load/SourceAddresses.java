package dev.courier.bench.load;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;

/// Which local address the `n`th connection binds to.
///
/// A TCP connection is named by (source IP, source port, destination IP, destination port). To one
/// server port from one source IP there are only as many connections as ephemeral ports (here
/// 32768–60999, about 28,000). Linux routes all of 127.0.0.0/8 to loopback, so past `perAddress`
/// connections the generator moves to 127.0.0.2, 127.0.0.3, … and each brings another port range.
/// For a server that is not on loopback the generator does not bind: the OS picks.
public record SourceAddresses(boolean loopback, int perAddress) {
    /// The default: comfortably under the ~28,000 ports of one address.
    public static final int DEFAULT_PER_ADDRESS = 25_000;

    public static SourceAddresses forTarget(URI target, int perAddress) {
        try {
            return new SourceAddresses(InetAddress.getByName(target.getHost()).isLoopbackAddress(), perAddress);
        } catch (UnknownHostException e) {
            throw new LoadException("unknown host " + target.getHost());
        }
    }

    /// The index of the address the `n`th connection uses (0 = 127.0.0.1).
    public int slot(long n) {
        return loopback ? (int) (n / perAddress) : 0;
    }

    /// The bind address of slot `slot`, or null to let the OS choose.
    public InetSocketAddress bindAddress(int slot) {
        if (!loopback) return null;
        if (slot > 250) throw new LoadException("more than 250 loopback source addresses needed; raise --per-address");
        return new InetSocketAddress("127.0.0." + (slot + 1), 0);
    }
}
