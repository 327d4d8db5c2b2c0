package dev.courier.bench;

import dev.courier.bench.report.Progress;
import dev.courier.bench.report.ReportWriter;
import dev.courier.bench.scenario.Bench;
import dev.courier.bench.scenario.IdleScenario;
import dev.courier.bench.target.ServerUnderTest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "idle", mixinStandardHelpOptions = true,
        description = "Ramp up idle WebSockets until a target or the first failure; report the count held and the server's memory per connection.")
final class IdleCommand implements Callable<Integer> {
    @Mixin
    ServerOptions server;

    @Option(names = "--connections", defaultValue = "200000", description = "Target number of WebSockets (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--hold", paramLabel = "SECONDS", defaultValue = "10", description = "Seconds to hold them before weighing (default: ${DEFAULT-VALUE}).")
    int hold;

    @Option(names = "--in-flight", defaultValue = "256", description = "Upgrades in progress at once (default: ${DEFAULT-VALUE}).")
    int inFlight;

    @Option(names = "--past-fd-limit", description = "Ramp past the open-file limit until connections fail, instead of stopping short of it.")
    boolean pastFdLimit;

    @Option(names = "--smoke", description = "A run of seconds that only checks the harness works.")
    boolean smoke;

    @Override
    public Integer call() {
        if (connections < 1 || hold < 0 || inFlight < 1) throw new CliException("--connections and --in-flight must be at least 1, --hold at least 0");
        var params = smoke ? new IdleScenario.Params(50, Duration.ofSeconds(1), 16, false)
                : new IdleScenario.Params(connections, Duration.ofSeconds(hold), inFlight, pastFdLimit);
        try (ServerUnderTest target = server.open(Map.of(), "none")) {
            var bench = new Bench(target, CommandLines.of("idle", smoke), Progress.toStderr(), server.perAddress);
            new ReportWriter(server.out, System.out).write(new IdleScenario(params).run(bench));
        }
        return 0;
    }
}
