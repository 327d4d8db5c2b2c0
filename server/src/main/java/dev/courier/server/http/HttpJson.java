package dev.courier.server.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.courier.server.ServiceException;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/// Reads request bodies with a hard size cap and writes JSON answers.
final class HttpJson {
    private final ObjectMapper mapper;
    private final long maxBodyBytes;

    HttpJson(ObjectMapper mapper, long maxBodyBytes) {
        this.mapper = mapper;
        this.maxBodyBytes = maxBodyBytes;
    }

    ObjectMapper mapper() {
        return mapper;
    }

    /// Parses the body as `type`. Oversize bodies get `413` before they are buffered whole,
    /// whether or not the client declared a `Content-Length`.
    <T> T read(Context ctx, Class<T> type) {
        long declared = ctx.contentLength();
        if (declared > maxBodyBytes) throw tooLarge();
        byte[] body;
        try (InputStream in = ctx.req().getInputStream()) {
            // A declared length is read into one array of that size; without one, read up to the
            // cap plus one byte, so that an oversize body shows without buffering more.
            body = declared >= 0 ? readDeclared(in, (int) declared)
                    : in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
        } catch (IOException e) {
            throw ServiceException.badRequest("invalid_body", "the request body could not be read");
        }
        if (body.length > maxBodyBytes) throw tooLarge();
        if (body.length == 0) throw ServiceException.badRequest("invalid_json", "a JSON body is required");
        try {
            return mapper.readValue(body, type);
        } catch (JacksonException e) {
            // The parser's own message can quote the input; say only where it broke.
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr();
            throw ServiceException.badRequest("invalid_json", "the body is not valid JSON for this request" + where);
        } catch (IOException e) {
            throw ServiceException.badRequest("invalid_json", "the body is not valid JSON for this request");
        }
    }

    /// Reads exactly `length` bytes into one array (Jetty frames the body by its `Content-Length`,
    /// so it cannot be longer); fewer is a truncated body.
    private static byte[] readDeclared(InputStream in, int length) throws IOException {
        byte[] body = new byte[length];
        int read = in.readNBytes(body, 0, length);
        if (read < length) throw new IOException("the body ended before its declared length");
        return body;
    }

    void write(Context ctx, int status, Object body) {
        try {
            ctx.status(status).contentType("application/json").result(mapper.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new IllegalStateException("response bodies always serialize", e);
        }
    }

    /// The same for a request answered by Jetty below Javalin (a refused WebSocket upgrade).
    void write(Response response, Callback callback, int status, Object body) {
        byte[] json;
        try {
            json = mapper.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException("response bodies always serialize", e);
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(json), callback);
    }

    private ServiceException tooLarge() {
        return ServiceException.tooLarge("the request body is larger than " + maxBodyBytes + " bytes");
    }
}
