package dev.courier.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;

/// Registers many devices through the real `POST /v1/accounts`, a bounded number at a time.
///
/// Usernames carry a random run prefix, so runs against a long-lived `--target` server never
/// collide with earlier runs' accounts.
public final class Registrar {
    private static final int IN_FLIGHT = 32;

    private final HttpApi api;
    private final String prefix;
    private int next;

    public Registrar(HttpApi api) {
        this.api = api;
        this.prefix = "b" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40, 1L << 45), 36);
    }

    /// Registers `count` devices; progress gets the running count after each one.
    public List<BenchDevice> register(int count, String role, Progress progress) {
        Semaphore slots = new Semaphore(IN_FLIGHT);
        List<CompletableFuture<BenchDevice>> pending = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            slots.acquireUninterruptibly();
            String username = prefix + role + (next++);
            pending.add(api.register(username).whenComplete((d, e) -> {
                slots.release();
                if (e == null) progress.registered();
            }));
        }
        List<BenchDevice> devices = new ArrayList<>(count);
        try {
            for (var f : pending) devices.add(f.join());
        } catch (CompletionException e) {
            throw new LoadException("registration failed: " + e.getCause().getMessage(), e.getCause());
        }
        return devices;
    }

    /// Told of each registration, for progress lines.
    @FunctionalInterface
    public interface Progress {
        void registered();

        Progress NONE = () -> {};
    }
}
