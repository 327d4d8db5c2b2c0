package dev.courier.bench;

import dev.courier.bench.report.Progress;
import dev.courier.bench.report.ReportWriter;
import dev.courier.bench.load.MessageIdOrder;
import dev.courier.bench.scenario.Bench;
import dev.courier.bench.scenario.SustainedScenario;
import dev.courier.bench.target.ServerUnderTest;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "sustained", mixinStandardHelpOptions = true,
        description = "Open loop: a fixed offered rate of sends for a set time; latency send→200 and send→delivered from the intended send time.")
final class SustainedCommand implements Callable<Integer> {
    @Mixin
    ServerOptions server;

    @Option(names = "--rates", split = ",", paramLabel = "N[,N…]", defaultValue = "2000",
            description = "Offered rates in messages per second, one step each (default: ${DEFAULT-VALUE}).")
    List<Integer> rates;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "20", description = "Seconds per rate (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "2",
            description = "Seconds at the start of each rate left out of the totals (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--senders", defaultValue = "200", description = "Sending devices (default: ${DEFAULT-VALUE}).")
    int senders;

    @Option(names = "--recipients", defaultValue = "200", description = "Receiving devices, each on a WebSocket (default: ${DEFAULT-VALUE}).")
    int recipients;

    @Option(names = "--payload-bytes", defaultValue = "256", description = "Size of each opaque ciphertext (default: ${DEFAULT-VALUE}).")
    int payloadBytes;

    @Option(names = "--http-connections", defaultValue = "128",
            description = "Pooled HTTP connections for sends (default: ${DEFAULT-VALUE}).")
    int httpConnections;

    @Option(names = "--transport", defaultValue = "websocket", converter = SustainedCommand.TransportName.class,
            description = "How senders send: websocket (send frames on their own sockets) or http (POST /v1/messages) (default: ${DEFAULT-VALUE}).")
    SustainedScenario.Transport transport;

    @Option(names = "--message-ids", defaultValue = "time", converter = SustainedCommand.MessageIdOrderName.class,
            description = "How message IDs are made: time (UUIDv7, as the SDK makes them) or random (UUIDv4) (default: ${DEFAULT-VALUE}).")
    MessageIdOrder messageIds;

    @Option(names = "--prewarm", paramLabel = "SECONDS", defaultValue = "30",
            description = "Seconds of load before the first step, to warm the server's JIT up; not reported in the table, 0 for none (default: ${DEFAULT-VALUE}).")
    int prewarm;

    @Option(names = "--prewarm-rate", defaultValue = "1000", description = "Offered rate of the warm-up, msgs/s (default: ${DEFAULT-VALUE}).")
    int prewarmRate;

    @Option(names = "--smoke", description = "A run of seconds that only checks the harness works.")
    boolean smoke;

    @Override
    public Integer call() {
        SustainedScenario.Params params = smoke
                ? new SustainedScenario.Params(List.of(200), Duration.ofSeconds(2), Duration.ZERO, 4, 4, payloadBytes, 8, 0, transport,
                        messageIds, Duration.ZERO, prewarmRate)
                : params();
        try (ServerUnderTest target = server.open(Map.of())) {
            var bench = new Bench(target, CommandLines.of("sustained", smoke), Progress.toStderr(), server.perAddress);
            new ReportWriter(server.out, System.out).write(new SustainedScenario(params).run(bench));
        }
        return 0;
    }

    private SustainedScenario.Params params() {
        if (rates.isEmpty() || rates.stream().anyMatch(r -> r < 1)) throw new CliException("--rates must be positive numbers, e.g. 2000,5000");
        if (seconds < 1) throw new CliException("--duration must be at least 1 second");
        if (warmup < 0 || warmup >= seconds) throw new CliException("--warmup must be at least 0 and less than --duration");
        if (senders < 1 || recipients < 1) throw new CliException("--senders and --recipients must be at least 1");
        if (payloadBytes < 16 || payloadBytes > 262_144) throw new CliException("--payload-bytes must be 16 to 262144");
        if (httpConnections < 1) throw new CliException("--http-connections must be at least 1");
        if (prewarm < 0) throw new CliException("--prewarm must be 0 or more seconds");
        if (prewarmRate < 1) throw new CliException("--prewarm-rate must be a positive number");
        return new SustainedScenario.Params(rates, Duration.ofSeconds(seconds), Duration.ofSeconds(warmup), senders, recipients,
                payloadBytes, httpConnections, 0, transport, messageIds, Duration.ofSeconds(prewarm), prewarmRate);
    }

    /// `websocket` or `http`, as the help text spells them.
    static final class TransportName implements CommandLine.ITypeConverter<SustainedScenario.Transport> {
        @Override
        public SustainedScenario.Transport convert(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "websocket", "ws" -> SustainedScenario.Transport.WEBSOCKET;
                case "http" -> SustainedScenario.Transport.HTTP;
                default -> throw new CommandLine.TypeConversionException("'" + value + "' is not websocket or http");
            };
        }
    }

    /// `time` or `random`, as the help text spells them.
    static final class MessageIdOrderName implements CommandLine.ITypeConverter<MessageIdOrder> {
        @Override
        public MessageIdOrder convert(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "time" -> MessageIdOrder.TIME;
                case "random" -> MessageIdOrder.RANDOM;
                default -> throw new CommandLine.TypeConversionException("'" + value + "' is not time or random");
            };
        }
    }
}
