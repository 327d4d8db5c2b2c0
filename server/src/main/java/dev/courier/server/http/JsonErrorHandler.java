package dev.courier.server.http;

import dev.courier.protocol.ErrorResponse;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/// Jetty's own error answers, as JSON `{code, message}` like every other refusal.
///
/// Two kinds of request never reach a Javalin route, so its error mapping cannot answer them:
/// a request Jetty's HTTP parser rejects (a malformed request line, headers over the size limit,
/// a URI too long), and a `/v1/websocket` upgrade that Jetty's WebSocket handler refuses (a
/// wrong `Sec-WebSocket-Version`, no `Sec-WebSocket-Key`). Jetty's default answer was an HTML
/// page, and no body at all for methods other than GET and POST.
///
/// The message is ours, chosen by status: Jetty's reason can quote the request.
final class JsonErrorHandler extends ErrorHandler {
    private final HttpJson json;

    JsonErrorHandler(HttpJson json) {
        this.json = json;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        // The parser answers an HTTP version it does not speak with 505; that is the client's
        // error, and bad input never gets a 5xx here.
        if (request.getAttribute(ERROR_EXCEPTION) instanceof HttpException e && e.getCode() == HttpStatus.HTTP_VERSION_NOT_SUPPORTED_505) {
            json.write(response, callback, HttpStatus.BAD_REQUEST_400,
                    new ErrorResponse("unsupported_http_version", "speak HTTP/1.1 or HTTP/2"));
            return true;
        }
        return super.handle(request, response, callback);
    }

    /// Every method gets a body, not only GET and POST (Jetty's default); HEAD cannot carry one.
    @Override
    public boolean errorPageForMethod(String method) {
        return !HttpMethod.HEAD.is(method);
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        String path = request.getHttpURI().getPath();
        json.write(response, callback, code, DeliveryEndpoint.PATH.equals(path) && code / 100 == 4
                ? DeliveryUpgrade.INVALID_UPGRADE
                : HttpErrors.of(code));
    }
}
