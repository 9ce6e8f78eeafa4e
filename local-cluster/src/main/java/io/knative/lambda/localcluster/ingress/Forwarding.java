package io.knative.lambda.localcluster.ingress;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;

/**
 * One request forwarded to a function's process and its answer streamed back, as a reverse proxy does: the method,
 * path, query, end-to-end headers and body go upstream (the body streamed, with its length when the client gave one);
 * hop-by-hop headers ({@code Connection} and those it names, {@code Keep-Alive}, {@code Transfer-Encoding}, ...) stay
 * behind; {@code X-Forwarded-For}, {@code -Host} and {@code -Proto} say who asked for what. Connections to the
 * processes are kept alive and reused.
 */
final class Forwarding {

    /** Longer than any function may run (Knative's maximum request timeout is 10 minutes). */
    private static final Duration UPSTREAM_TIMEOUT = Duration.ofMinutes(11);
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "host",
            "content-length", "expect");

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** Thrown when the process could not be reached before anything was answered. */
    static final class UpstreamUnavailable extends IOException {
        UpstreamUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Forwards {@code exchange} to {@code endpoint} (a URL ending in {@code /}) and writes the process's answer. */
    void forward(HttpExchange exchange, String endpoint, String host) throws IOException {
        URI requested = exchange.getRequestURI();
        String path = requested.getRawPath() == null || requested.getRawPath().isEmpty() ? "/" : requested.getRawPath();
        String target = endpoint + path.substring(1) + (requested.getRawQuery() == null ? "" : "?" + requested.getRawQuery());
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target)).timeout(UPSTREAM_TIMEOUT)
                .method(exchange.getRequestMethod(), body(exchange));
        Headers in = exchange.getRequestHeaders();
        Set<String> skipped = skipped(in);
        for (Map.Entry<String, List<String>> h : in.entrySet()) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (!skipped.contains(name) && !name.startsWith("x-forwarded-")) {
                h.getValue().forEach(v -> addHeader(request, h.getKey(), v));
            }
        }
        String caller = exchange.getRemoteAddress().getAddress().getHostAddress();
        String forwardedFor = in.getFirst("X-Forwarded-For");
        request.header("X-Forwarded-For", forwardedFor == null ? caller : forwardedFor + ", " + caller);
        request.header("X-Forwarded-Host", host);
        request.header("X-Forwarded-Proto", "http");

        HttpResponse<InputStream> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamUnavailable("interrupted", e);
        } catch (IOException e) {
            throw new UpstreamUnavailable(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": "
                    + e.getMessage()), e);
        }
        answer(exchange, response);
    }

    private static void answer(HttpExchange exchange, HttpResponse<InputStream> response) throws IOException {
        Headers out = exchange.getResponseHeaders();
        Set<String> skipped = new HashSet<>(HOP_BY_HOP);
        skipped.add("date");
        response.headers().allValues("connection").forEach(v -> addTokens(skipped, v));
        response.headers().map().forEach((name, values) -> {
            if (!skipped.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                values.forEach(v -> out.add(name, v));
            }
        });
        int status = response.statusCode();
        boolean noBody = "HEAD".equals(exchange.getRequestMethod()) || status == 204 || status == 304 || status < 200;
        long length = response.headers().firstValueAsLong("content-length").orElse(-1);
        exchange.sendResponseHeaders(status, noBody || length == 0 ? -1 : Math.max(length, 0));
        try (InputStream body = response.body(); OutputStream sink = exchange.getResponseBody()) {
            if (!noBody) {
                byte[] buffer = new byte[16 * 1024];
                for (int n; (n = body.read(buffer)) >= 0;) {
                    sink.write(buffer, 0, n);
                    if (body.available() == 0) {
                        sink.flush(); // what the function sent so far reaches the client now (streamed answers)
                    }
                }
            }
        }
    }

    /** The request body, streamed: with its length when the client gave one. */
    private static HttpRequest.BodyPublisher body(HttpExchange exchange) {
        Headers in = exchange.getRequestHeaders();
        String length = in.getFirst("Content-Length");
        boolean chunked = in.getFirst("Transfer-Encoding") != null;
        if (length == null && !chunked) {
            return HttpRequest.BodyPublishers.noBody();
        }
        HttpRequest.BodyPublisher stream = HttpRequest.BodyPublishers.ofInputStream(exchange::getRequestBody);
        if (length == null) {
            return stream;
        }
        long n = Long.parseLong(length.trim());
        return n == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.fromPublisher(stream, n);
    }

    private static Set<String> skipped(Headers in) {
        Set<String> skipped = new HashSet<>(HOP_BY_HOP);
        List<String> connection = in.get("Connection");
        if (connection != null) {
            connection.forEach(v -> addTokens(skipped, v));
        }
        return skipped;
    }

    private static void addTokens(Set<String> set, String headerValue) {
        for (String token : headerValue.split(",")) {
            set.add(token.trim().toLowerCase(Locale.ROOT));
        }
    }

    private static void addHeader(HttpRequest.Builder request, String name, String value) {
        try {
            request.header(name, value);
        } catch (IllegalArgumentException restricted) {
            // a header the JDK client sets itself (or refuses): not forwarded
        }
    }
}
