package dev.courier.bench;

import dev.courier.bench.report.Progress;
import dev.courier.bench.report.ReportWriter;
import dev.courier.bench.scenario.Bench;
import dev.courier.bench.target.EjabberdServer;
import dev.courier.bench.target.ServerUnderTest;
import dev.courier.bench.versus.Comparison;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/// `compare`: the same workload against Courier and against ejabberd (Debian's package, installed
/// with apt-get if it is missing), one after the other, and the Courier/ejabberd ratios.
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Courier side by side with ejabberd (installed with apt-get if missing): idle memory, latency at a fixed rate, "
                + "throughput at a fixed p99, offline drain; prints the Courier/ejabberd ratios.")
final class CompareCommand implements Callable<Integer> {
    @Mixin
    ServerOptions server;

    @Option(names = "--rate", defaultValue = "1000", description = "Offered rate for p50/p99 at a fixed rate, msgs/s (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "20", description = "Seconds at the fixed rate (default: ${DEFAULT-VALUE}).")
    int duration;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "2",
            description = "Seconds at the start of each rate left out of the totals (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--sweep-rates", split = ",", paramLabel = "N[,N…]", defaultValue = "250,500,1000,2000,4000,8000,16000",
            description = "Rates tried for throughput at a fixed p99, lowest first; stops at the first over the bound (default: ${DEFAULT-VALUE}).")
    List<Integer> sweepRates;

    @Option(names = "--sweep-duration", paramLabel = "SECONDS", defaultValue = "10", description = "Seconds per sweep step (default: ${DEFAULT-VALUE}).")
    int sweepDuration;

    @Option(names = "--p99-bound-ms", defaultValue = "50", description = "The fixed p99 of send→delivered for the sweep, ms (default: ${DEFAULT-VALUE}).")
    double p99BoundMs;

    @Option(names = "--senders", defaultValue = "100", description = "Sending users/devices (default: ${DEFAULT-VALUE}).")
    int senders;

    @Option(names = "--recipients", defaultValue = "100", description = "Receiving users/devices, each connected (default: ${DEFAULT-VALUE}).")
    int recipients;

    @Option(names = "--payload-bytes", defaultValue = "256", description = "Opaque payload size, sent base64 on both sides (default: ${DEFAULT-VALUE}).")
    int payloadBytes;

    @Option(names = "--drain-messages", defaultValue = "2000", description = "Offline messages per drain round (default: ${DEFAULT-VALUE}).")
    int drainMessages;

    @Option(names = "--drain-rounds", defaultValue = "3", description = "Drain rounds, each with a fresh user (default: ${DEFAULT-VALUE}).")
    int drainRounds;

    @Option(names = "--idle-connections", defaultValue = "2000", description = "Idle connections weighed (default: ${DEFAULT-VALUE}).")
    int idleConnections;

    @Option(names = "--prewarm", paramLabel = "SECONDS", defaultValue = "30",
            description = "Seconds at --rate before the measured steps, on each side and not reported: a server in service is warm (default: ${DEFAULT-VALUE}).")
    int prewarm;

    @Option(names = "--idle-hold", paramLabel = "SECONDS", defaultValue = "5", description = "Seconds idle before weighing (default: ${DEFAULT-VALUE}).")
    int idleHold;

    @Override
    public Integer call() {
        Comparison comparison = new Comparison(params());
        Progress progress = Progress.toStderr();
        String command = CommandLines.of("compare", false);
        String started = Bench.now();
        Comparison.Side courier;
        progress.say("Courier side");
        try (ServerUnderTest target = server.open(Map.of())) {
            courier = comparison.courier(new Bench(target, command, progress, server.perAddress));
        }
        progress.say("ejabberd side");
        Comparison.Side ejabberd;
        try (EjabberdServer xmpp = EjabberdServer.start(progress, idleConnections + senders + recipients)) {
            ejabberd = comparison.ejabberd(xmpp, progress);
        }
        new ReportWriter(server.out, System.out).write(comparison.report(command, started, courier, ejabberd));
        return 0;
    }

    private Comparison.Params params() {
        if (rate < 1 || sweepRates.isEmpty() || sweepRates.stream().anyMatch(r -> r < 1)) throw new CliException("--rate and --sweep-rates must be positive");
        if (!sweepRates.equals(sweepRates.stream().sorted().toList())) throw new CliException("--sweep-rates must be in increasing order");
        if (duration < 1 || sweepDuration < 1) throw new CliException("--duration and --sweep-duration must be at least 1 second");
        if (warmup < 0 || warmup >= Math.min(duration, sweepDuration)) throw new CliException("--warmup must be at least 0 and less than both durations");
        if (p99BoundMs <= 0) throw new CliException("--p99-bound-ms must be positive");
        if (prewarm < 0) throw new CliException("--prewarm must be at least 0");
        if (senders < 1 || recipients < 1 || drainMessages < 1 || drainRounds < 1 || idleConnections < 1 || idleHold < 0) {
            throw new CliException("--senders, --recipients, --drain-messages, --drain-rounds and --idle-connections must be at least 1, --idle-hold at least 0");
        }
        if (payloadBytes < 16 || payloadBytes > 262_144) throw new CliException("--payload-bytes must be 16 to 262144");
        return new Comparison.Params(rate, Duration.ofSeconds(duration), Duration.ofSeconds(warmup), sweepRates, Duration.ofSeconds(sweepDuration),
                p99BoundMs, senders, recipients, payloadBytes, drainMessages, drainRounds, idleConnections, Duration.ofSeconds(idleHold),
                Duration.ofSeconds(prewarm));
    }
}
