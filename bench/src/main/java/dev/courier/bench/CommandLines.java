package dev.courier.bench;

/// The command line a report names, so a reader can run it again.
final class CommandLines {
    private static volatile String current = "";

    private CommandLines() {}

    static void remember(String[] args) {
        current = String.join(" ", args);
    }

    static String of(String scenario, boolean smoke) {
        return current.isEmpty() ? "courier-bench " + scenario + (smoke ? " --smoke" : "") : "courier-bench " + current;
    }
}
