package dev.courier.cli.failure;

/// A failure the command has already worded for the user: one line, an exit code, and a short
/// machine-readable code for `--json`. Commands throw it instead of printing and returning,
/// so every error leaves through the same handler and looks the same.
public final class CliFailure extends RuntimeException {
    private final int exitCode;
    private final String code;

    public CliFailure(int exitCode, String code, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
        this.code = code;
    }

    public int exitCode() {
        return exitCode;
    }

    public String code() {
        return code;
    }

    public static CliFailure unreachable(String message) {
        return new CliFailure(ExitCode.UNREACHABLE, "server_unreachable", message);
    }

    public static CliFailure unknownUser(String message) {
        return new CliFailure(ExitCode.UNKNOWN_USER, "unknown_user", message);
    }

    /// The advice is the same wherever a changed safety number stops a send.
    public static CliFailure untrusted(String user, String what) {
        return new CliFailure(ExitCode.UNTRUSTED, "untrusted_identity",
                what + ": the safety number with " + user + " has changed. Compare it with `courier safety-number " + user
                        + "` (and with " + user + " in person), then accept it with `courier trust " + user + "`");
    }

    public static CliFailure usage(String message) {
        return new CliFailure(ExitCode.USAGE, "usage", message);
    }

    public static CliFailure failed(String message) {
        return new CliFailure(ExitCode.FAILED, "failed", message);
    }
}
