package dev.courier.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/// Every scenario for a few seconds: what CI runs to keep the harness working. Not a
/// measurement.
@Command(name = "smoke", mixinStandardHelpOptions = true, description = "Run every scenario for seconds, to check the harness works (not a measurement).")
final class SmokeCommand implements Callable<Integer> {
    @Mixin
    ServerOptions server;

    @Override
    public Integer call() {
        List<String> common = new ArrayList<>(List.of("--smoke", "--out", server.out.toString()));
        List<String> serverArgs = new ArrayList<>();
        if (server.target != null) serverArgs.addAll(List.of("--target", server.target.toString()));
        if (server.serverClasspath != null) serverArgs.addAll(List.of("--server-classpath", server.serverClasspath));
        for (String scenario : List.of("idle", "sustained", "drain", "crypto")) {
            List<String> args = new ArrayList<>(List.of(scenario));
            args.addAll(common);
            if (!scenario.equals("crypto")) args.addAll(serverArgs);
            int code = Main.run(args.toArray(String[]::new));
            if (code != 0) return code;
        }
        return 0;
    }
}
