package dev.courier.bench;

import dev.courier.bench.report.Progress;
import dev.courier.bench.report.ReportWriter;
import dev.courier.bench.scenario.Bench;
import dev.courier.bench.scenario.CryptoScenario;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "crypto", mixinStandardHelpOptions = true,
        description = "Time libsignal encrypt and decrypt per message through the SDK's persistent store (no server).")
final class CryptoCommand implements Callable<Integer> {
    @Option(names = "--messages", defaultValue = "1000", description = "Messages to encrypt and decrypt (default: ${DEFAULT-VALUE}).")
    int messages;

    @Option(names = "--body-chars", defaultValue = "64", description = "Characters of text per message (default: ${DEFAULT-VALUE}).")
    int bodyChars;

    @Option(names = "--store-dir", paramLabel = "DIR",
            description = "Where the two device stores go (default: a temporary directory, deleted after). The disk decides the fsync cost.")
    Path storeDir;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "bench-results", description = "Directory for the results (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--smoke", description = "A run of seconds that only checks the harness works.")
    boolean smoke;

    @Override
    public Integer call() {
        if (messages < 1 || bodyChars < 0) throw new CliException("--messages must be at least 1 and --body-chars at least 0");
        var params = new CryptoScenario.Params(smoke ? 20 : messages, bodyChars, storeDir);
        var bench = new Bench(null, CommandLines.of("crypto", smoke), Progress.toStderr(), 0);
        new ReportWriter(out, System.out).write(new CryptoScenario(params).run(bench));
        return 0;
    }
}
