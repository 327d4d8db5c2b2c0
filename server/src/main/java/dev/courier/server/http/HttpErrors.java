package dev.courier.server.http;

import dev.courier.protocol.ErrorResponse;

/// The `{code, message}` body for a refusal known only by its HTTP status: no route produced it,
/// so there is nothing more specific to say.
final class HttpErrors {
    private HttpErrors() {}

    static ErrorResponse of(int status) {
        return switch (status) {
            case 400 -> new ErrorResponse("bad_request", "the request is malformed");
            case 404 -> new ErrorResponse("not_found", "no such endpoint");
            case 405 -> new ErrorResponse("method_not_allowed", "this endpoint does not take that method");
            case 413 -> new ErrorResponse("payload_too_large", "the request body is too large");
            case 414 -> new ErrorResponse("uri_too_long", "the request URI is too long");
            case 431 -> new ErrorResponse("headers_too_large", "the request headers are too large");
            case 500 -> HttpApi.INTERNAL_ERROR;
            default -> new ErrorResponse("http_" + status, "the request was refused");
        };
    }
}
