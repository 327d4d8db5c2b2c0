package dev.courier.cli.failure;

/// The exit codes of `courier`, one per kind of failure, so scripts can tell "try again later"
/// from "fix the command". They are listed in `courier --help`.
public final class ExitCode {
    public static final int OK = 0;
    /// The server refused the request, or something else went wrong.
    public static final int FAILED = 1;
    /// The command line was wrong (picocli's usage-error code).
    public static final int USAGE = 2;
    /// The server could not be reached.
    public static final int UNREACHABLE = 3;
    /// No such user (on the server, or among this device's contacts).
    public static final int UNKNOWN_USER = 4;
    /// A contact's safety number changed; messages to them wait for `courier trust`.
    public static final int UNTRUSTED = 5;
    /// The device directory holds no registered device.
    public static final int NOT_REGISTERED = 6;
    /// The message is safe in the outbox but not on the server yet; it goes out on a later run.
    public static final int QUEUED = 7;

    /// For picocli's `exitCodeList` (the "Exit codes" section of `--help`).
    public static final String[] HELP = {
        "0:done",
        "1:refused by the server, or another failure",
        "2:bad command line",
        "3:server unreachable",
        "4:unknown user",
        "5:safety number changed (see safety-number, trust)",
        "6:no device registered in the directory",
        "7:message kept in the outbox, not sent yet",
    };

    private ExitCode() {}
}
