package dev.courier.bench;

import dev.courier.bench.report.Progress;
import dev.courier.bench.report.ReportWriter;
import dev.courier.bench.scenario.Bench;
import dev.courier.bench.scenario.DrainScenario;
import dev.courier.bench.target.ServerUnderTest;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "drain", mixinStandardHelpOptions = true,
        description = "Queue messages for an offline device, connect it, and time until the last is delivered and acknowledged.")
final class DrainCommand implements Callable<Integer> {
    @Mixin
    ServerOptions server;

    @Option(names = "--messages", defaultValue = "10000", description = "Messages queued before the device connects (default: ${DEFAULT-VALUE}).")
    int messages;

    @Option(names = "--rounds", defaultValue = "3", description = "Rounds, each with a fresh device (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--warmup-rounds", defaultValue = "2",
            description = "Rounds run first and left out of the median, while the server's JIT warms up (default: ${DEFAULT-VALUE}).")
    int warmupRounds;

    @Option(names = "--payload-bytes", defaultValue = "256", description = "Size of each opaque ciphertext (default: ${DEFAULT-VALUE}).")
    int payloadBytes;

    @Option(names = "--smoke", description = "A run of seconds that only checks the harness works.")
    boolean smoke;

    @Override
    public Integer call() {
        if (messages < 1 || rounds < 1) throw new CliException("--messages and --rounds must be at least 1");
        if (warmupRounds < 0) throw new CliException("--warmup-rounds must be at least 0");
        if (payloadBytes < 16 || payloadBytes > 262_144) throw new CliException("--payload-bytes must be 16 to 262144");
        var params = smoke ? new DrainScenario.Params(200, 1, payloadBytes, 0)
                : new DrainScenario.Params(messages, rounds, payloadBytes, warmupRounds);
        try (ServerUnderTest target = server.open(Map.of())) {
            var bench = new Bench(target, CommandLines.of("drain", smoke), Progress.toStderr(), server.perAddress);
            new ReportWriter(server.out, System.out).write(new DrainScenario(params).run(bench));
        }
        return 0;
    }
}
