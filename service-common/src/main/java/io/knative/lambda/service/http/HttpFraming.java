package io.knative.lambda.service.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;

/**
 * What the HTTP/1.x decoder lets through but a request must not have, because two servers could read its
 * length differently (request smuggling, RFC 9112 §6): a {@code Transfer-Encoding} other than {@code chunked}
 * once and alone ({@code xchunked}, {@code chunked, chunked}, {@code gzip, chunked}), or an HTTP version
 * other than 1.0 and 1.1.
 */
final class HttpFraming {

    /** How a version problem's text starts. */
    static final String VERSION = "HTTP version";

    private HttpFraming() {
    }

    /** The problem with the request's framing, or {@code null} when there is none. */
    static String problem(HttpRequest request) {
        HttpVersion version = request.protocolVersion();
        if (version.majorVersion() != 1 || version.minorVersion() > 1) {
            return VERSION + " " + Sanitized.text(version.text(), 20) + " is not supported: send HTTP/1.1";
        }
        List<String> codings = new ArrayList<>();
        for (String header : request.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING)) {
            for (String coding : header.split(",")) {
                codings.add(coding.strip().toLowerCase(Locale.ROOT));
            }
        }
        if (!codings.isEmpty() && !codings.equals(List.of("chunked"))) {
            return "Transfer-Encoding '" + Sanitized.text(String.join(", ", codings), 60)
                    + "' is not accepted: send 'chunked' alone, or Content-Length";
        }
        return null;
    }
}
