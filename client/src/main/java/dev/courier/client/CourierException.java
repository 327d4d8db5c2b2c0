package dev.courier.client;

/// Something the caller asked for could not be done. The message is one line, fit to show a user.
public class CourierException extends RuntimeException {
    public CourierException(String message) {
        super(message);
    }

    public CourierException(String message, Throwable cause) {
        super(message, cause);
    }

    /// The server could not be reached, or answered with a server error.
    public static final class ServerUnreachable extends CourierException {
        public ServerUnreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /// No account has the given username or ID.
    public static final class UnknownUser extends CourierException {
        public UnknownUser(String user) {
            super("no user named '" + user + "' on this server");
        }
    }

    /// This device has never talked to the user, so it has nothing local about them.
    public static final class UnknownContact extends CourierException {
        public UnknownContact(String user) {
            super("no conversation with '" + user + "' on this device yet");
        }
    }

    /// A contact's identity key changed; sending to them waits until the user accepts the change.
    public static final class UntrustedIdentity extends CourierException {
        public UntrustedIdentity(String user) {
            super("the safety number with " + user + " has changed; compare it, then trust " + user + " to send again");
        }
    }

    /// The device directory holds no registered device.
    public static final class NotRegistered extends CourierException {
        public NotRegistered(String where) {
            super("no device is registered in " + where + "; register first");
        }
    }

    /// The server refused a request; `code` is its error code (see docs/API.md).
    public static final class Refused extends CourierException {
        private final int status;
        private final String code;

        public Refused(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }

        public int status() {
            return status;
        }

        public String code() {
            return code;
        }
    }
}
