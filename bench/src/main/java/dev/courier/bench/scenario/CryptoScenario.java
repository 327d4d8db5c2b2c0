package dev.courier.bench.scenario;

import dev.courier.bench.report.Chart;
import dev.courier.bench.report.LatencySummary;
import dev.courier.bench.report.RunReport;
import dev.courier.bench.report.Table;
import dev.courier.client.internal.content.Content;
import dev.courier.client.internal.content.ContentCodec;
import dev.courier.client.internal.keys.PreKeys;
import dev.courier.client.internal.store.DeviceStore;
import dev.courier.client.internal.store.LocalState;
import dev.courier.client.internal.store.SignalStore;
import dev.courier.protocol.DeviceKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.signal.libsignal.protocol.IdentityKey;
import org.signal.libsignal.protocol.IdentityKeyPair;
import org.signal.libsignal.protocol.SessionBuilder;
import org.signal.libsignal.protocol.SessionCipher;
import org.signal.libsignal.protocol.SignalProtocolAddress;
import org.signal.libsignal.protocol.ecc.ECPublicKey;
import org.signal.libsignal.protocol.kem.KEMPublicKey;
import org.signal.libsignal.protocol.message.CiphertextMessage;
import org.signal.libsignal.protocol.message.PreKeySignalMessage;
import org.signal.libsignal.protocol.message.SignalMessage;
import org.signal.libsignal.protocol.state.PreKeyBundle;
import org.signal.libsignal.protocol.util.KeyHelper;

/// Scenario 4: what end-to-end encryption costs a client, per message.
///
/// Two SDK device stores (`device.db`, SQLite with `synchronous=FULL`, as the SDK opens them),
/// a PQXDH session between them, then `messages` texts from one to the other. Each is timed as
/// the SDK does it: encrypt = encode and pad the content, `SessionCipher.encrypt` and the ratchet
/// state written back, in one store transaction; decrypt = `SessionCipher.decrypt`, the state
/// written back and the content decoded, in one transaction. So the figures include the fsync
/// of each transaction, which is most of the cost on most disks. No server is involved.
public final class CryptoScenario implements Scenario {
    public record Params(int messages, int bodyChars, Path dir) {}

    public record Result(int messages, double sessionSetupMs, double firstDecryptMs, LatencySummary encrypt, LatencySummary decrypt,
                         double encryptsPerSecond, double decryptsPerSecond, int ciphertextBytes, String storeDir) {}

    private final Params params;

    public CryptoScenario(Params params) {
        this.params = params;
    }

    @Override
    public RunReport run(Bench bench) {
        String started = Bench.now();
        Path dir;
        try {
            dir = params.dir() == null ? Files.createTempDirectory("courier-bench-crypto") : Files.createDirectories(params.dir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the store directory: " + e.getMessage(), e);
        }
        Result result;
        try (Device alice = Device.create(dir.resolve("alice")); Device bob = Device.create(dir.resolve("bob"))) {
            result = measure(bench, alice, bob, dir);
        } catch (Exception e) {
            throw new IllegalStateException("the crypto run failed: " + e.getMessage(), e);
        } finally {
            if (params.dir() == null) delete(dir);
        }
        var table = Table.builder("Client E2EE cost per message (ms: p50 / p90 / p99 / p99.9 / max), SDK store with fsync",
                "messages", "encrypt", "decrypt", "encrypts/s", "decrypts/s", "ciphertext", "session setup (PQXDH)");
        table.row(result.messages(), result.encrypt().cells(), result.decrypt().cells(), String.format("%.0f", result.encryptsPerSecond()),
                String.format("%.0f", result.decryptsPerSecond()), result.ciphertextBytes() + " B", result.sessionSetupMs() + " ms");
        List<double[]> enc = percentiles(result.encrypt());
        List<double[]> dec = percentiles(result.decrypt());
        var chart = new Chart("Encrypt and decrypt latency by percentile", "percentile", "ms", false,
                List.of(new Chart.Series("encrypt", enc), new Chart.Series("decrypt", dec)));
        List<String> notes = List.of("timed on the machine the server scenarios use; the store's fsync dominates and depends on the disk");
        return new RunReport("crypto", started, bench.command(), Bench.environment(), "no server (client-side only)", params, result,
                notes, List.of(table.build()), List.of(chart));
    }

    private static List<double[]> percentiles(LatencySummary s) {
        return List.of(new double[] {50, s.p50Ms()}, new double[] {90, s.p90Ms()}, new double[] {99, s.p99Ms()}, new double[] {99.9, s.p999Ms()});
    }

    private Result measure(Bench bench, Device alice, Device bob, Path dir) throws Exception {
        var bobAddress = new SignalProtocolAddress(bob.name, 1);
        var aliceAddress = new SignalProtocolAddress(alice.name, 1);
        long t0 = System.nanoTime();
        DeviceKeys keys = bob.preKeys.initial(1);
        var bundle = new PreKeyBundle(bob.local.registrationId(), 1, keys.preKeys().getFirst().keyId(),
                new ECPublicKey(keys.preKeys().getFirst().publicKey()), keys.signedPreKey().keyId(),
                new ECPublicKey(keys.signedPreKey().publicKey()), keys.signedPreKey().signature(), new IdentityKey(keys.identityKey()),
                keys.pqPreKeys().getFirst().keyId(), new KEMPublicKey(keys.pqPreKeys().getFirst().publicKey()), keys.pqPreKeys().getFirst().signature());
        alice.db.transaction(() -> {
            new SessionBuilder(alice.store, bobAddress).process(bundle);
            return null;
        });
        double setup = ms(System.nanoTime() - t0);
        // The first message is a PreKeySignalMessage; Bob's reply completes the handshake, after
        // which Alice sends ordinary ratchet messages, as in a real conversation.
        var toBob = new SessionCipher(alice.store, bobAddress);
        var fromAlice = new SessionCipher(bob.store, aliceAddress);
        long d0 = System.nanoTime();
        CiphertextMessage first = alice.db.transaction(() -> toBob.encrypt(pad(alice, bob, "hello")));
        bob.db.transaction(() -> fromAlice.decrypt(new PreKeySignalMessage(first.serialize())));
        double firstDecrypt = ms(System.nanoTime() - d0);
        CiphertextMessage reply = bob.db.transaction(() -> fromAlice.encrypt(pad(bob, alice, "hi")));
        alice.db.transaction(() -> toBob.decrypt(new SignalMessage(reply.serialize())));

        Histogram enc = LatencySummary.newHistogram();
        Histogram dec = LatencySummary.newHistogram();
        String body = "x".repeat(params.bodyChars());
        int size = 0;
        long encTotal = 0;
        long decTotal = 0;
        for (int i = 0; i < params.messages(); i++) {
            long a = System.nanoTime();
            CiphertextMessage c = alice.db.transaction(() -> toBob.encrypt(pad(alice, bob, body)));
            long b = System.nanoTime();
            byte[] wire = c.serialize();
            byte[] plain = bob.db.transaction(() -> {
                byte[] p = c.getType() == CiphertextMessage.PREKEY_TYPE ? fromAlice.decrypt(new PreKeySignalMessage(wire))
                        : fromAlice.decrypt(new SignalMessage(wire));
                ContentCodec.decode(p);
                return p;
            });
            long e = System.nanoTime();
            if (plain.length == 0) throw new IllegalStateException("empty plaintext");
            enc.recordValue((b - a) / 1000);
            dec.recordValue((e - b) / 1000);
            encTotal += b - a;
            decTotal += e - b;
            size = wire.length;
            bench.progress().maybe((i + 1) + " of " + params.messages() + " messages");
        }
        return new Result(params.messages(), setup, firstDecrypt, LatencySummary.of(enc), LatencySummary.of(dec),
                Math.round(params.messages() / (encTotal / 1e9)), Math.round(params.messages() / (decTotal / 1e9)), size, dir.toString());
    }

    private static byte[] pad(Device from, Device to, String body) {
        return ContentCodec.encode(Content.text(UUID.randomUUID(), from.account, to.account, System.currentTimeMillis(), body));
    }

    private static double ms(long nanos) {
        return Math.round(nanos / 1e4) / 100.0;
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A temp directory left behind is harmless.
        }
    }

    /// One SDK device store with fresh identity keys, as `CourierClient.register` makes it.
    private static final class Device implements AutoCloseable {
        final UUID account = UUID.randomUUID();
        final String name = account.toString();
        final DeviceStore db;
        final LocalState local;
        final SignalStore store;
        final PreKeys preKeys;

        private Device(Path dir) {
            db = DeviceStore.open(dir, true);
            local = new LocalState(db);
            local.saveKeys(IdentityKeyPair.generate(), KeyHelper.generateRegistrationId(false));
            store = new SignalStore(db, local, n -> {});
            preKeys = new PreKeys(db, store, local);
        }

        static Device create(Path dir) {
            return new Device(dir);
        }

        @Override
        public void close() {
            db.close();
        }
    }
}
