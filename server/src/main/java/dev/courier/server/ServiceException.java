package dev.courier.server;

/// A request the server refuses, with the HTTP status and stable error code the client sees.
/// Domain code throws these; the HTTP layer turns them into `{code, message}` answers.
public class ServiceException extends RuntimeException {
    private final int status;
    private final String code;

    public ServiceException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public static ServiceException badRequest(String code, String message) {
        return new ServiceException(400, code, message);
    }

    public static ServiceException notFound(String code, String message) {
        return new ServiceException(404, code, message);
    }

    public static ServiceException forbidden(String code, String message) {
        return new ServiceException(403, code, message);
    }

    public static ServiceException conflict(String code, String message) {
        return new ServiceException(409, code, message);
    }

    public static ServiceException tooLarge(String message) {
        return new ServiceException(413, "payload_too_large", message);
    }
}
