package dev.courier.cli;

import picocli.CommandLine.Option;

/// `--help` for each subcommand (the root has the standard `--help` and `--version`).
public final class Help {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;
}
