package io.knative.lambda.localcluster.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.knative.lambda.localcluster.store.ApiException;
import io.knative.lambda.localcluster.store.Json;
import io.knative.lambda.localcluster.store.ObjectStore;

/**
 * The local cluster's Kubernetes API over HTTP (the JDK's server: no framework, a thread per request, which a
 * watch holds): discovery, and for each served resource get, list and watch (label and field selectors), create,
 * update, update of the status subresource and delete, under {@code /apis/<group>/<version>/namespaces/<ns>/<plural>}
 * (list and watch across namespaces without the namespace part). Errors are {@code Status} objects. Reads are
 * open, and answered as a {@code Table} when the client asks for one ({@code kubectl get}); writes need
 * {@code Authorization: Bearer <token>} ({@link WriteAccess}). Bounded: request bodies of 3 MiB, 1,024 watches.
 */
public final class ApiServer implements AutoCloseable {

    static final int MAX_BODY = 3 * 1024 * 1024;
    private static final int MAX_WATCHES = 1024;

    private final HttpServer server;
    private final ExecutorService threads;
    private final Resources resources;
    private final BearerToken token;
    private final Semaphore watches = new Semaphore(MAX_WATCHES);
    private volatile boolean closed;

    private ApiServer(HttpServer server, ExecutorService threads, ObjectStore store, BearerToken token) {
        this.server = server;
        this.threads = threads;
        this.token = token;
        this.resources = new Resources(store, new WatchStream(store), () -> closed);
    }

    /** Serves {@code store} on {@code host:port} (0: a free port). */
    public static ApiServer start(ObjectStore store, String host, int port, BearerToken token) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 128);
        ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "api-server");
            t.setDaemon(true);
            return t;
        });
        ApiServer api = new ApiServer(server, threads, store, token);
        server.createContext("/", api::handle);
        server.setExecutor(threads);
        server.start();
        return api;
    }

    /** The port it listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://host:port}. */
    public String url() {
        return "http://" + server.getAddress().getHostString() + ":" + port();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            try {
                if (!"GET".equals(method) && !"HEAD".equals(method)) {
                    WriteAccess.check(token, exchange.getRequestHeaders().getFirst("Authorization"), method, path);
                }
                ObjectNode discovery = "GET".equals(method) ? discovery(path) : null;
                if (discovery != null) {
                    answer(exchange, 200, discovery);
                    return;
                }
                ApiPath target = ApiPath.parse(path);
                String table = Tables.requested(exchange.getRequestHeaders().getFirst("Accept"));
                if (target == null) {
                    throw new ApiException(404, "NotFound", "the server could not find the requested resource", null, null);
                }
                if (target.isCollection() && "GET".equals(method) && isTrue(query.get("watch"))) {
                    if ("websocket".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Upgrade"))) {
                        // watches are served as HTTP streams only: a plain 200 tells fabric8 to fall back to one
                        exchange.getResponseHeaders().set("Connection", "close");
                        exchange.sendResponseHeaders(200, -1);
                        return;
                    }
                    watch(exchange, target, query, table);
                    return;
                }
                ObjectNode body = "POST".equals(method) || "PUT".equals(method) ? Json.parseObject(body(exchange)) : null;
                Resources.Answer answer = resources.call(method, target, query, body, table);
                answer(exchange, answer.code(), answer.body());
            } catch (ApiException e) {
                answer(exchange, e.code(), Statuses.failure(e));
            } catch (RuntimeException e) {
                answer(exchange, 500, Statuses.failure(500, "InternalError", "Internal error occurred: " + e));
            }
        } finally {
            exchange.close();
        }
    }

    private void watch(HttpExchange exchange, ApiPath target, Map<String, String> query, String table) throws IOException {
        if (!watches.tryAcquire()) {
            throw new ApiException(429, "TooManyRequests", "too many watches open (" + MAX_WATCHES + ")", null, null);
        }
        try {
            Duration timeout = Duration.ofSeconds(Long.parseLong(query.getOrDefault("timeoutSeconds", "1800")));
            resources.watch(exchange, target, query, timeout, isTrue(query.get("allowWatchBookmarks")), table);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid timeoutSeconds");
        } finally {
            watches.release();
        }
    }

    private static ObjectNode discovery(String path) {
        String[] p = path.replaceAll("/+$", "").split("/");
        return switch (path.replaceAll("/+$", "")) {
            case "/version" -> Discovery.version();
            case "/api" -> Discovery.coreVersions();
            case "/api/v1" -> Discovery.coreResources();
            case "/apis" -> Discovery.groups();
            default -> p.length == 3 && "apis".equals(p[1]) ? Discovery.group(p[2])
                    : p.length == 4 && "apis".equals(p[1]) ? Discovery.resources(p[2], p[3]) : null;
        };
    }

    private static byte[] body(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                throw new ApiException(413, "RequestEntityTooLarge", "the request body is over " + MAX_BODY + " bytes", null,
                        null);
            }
            return bytes;
        }
    }

    private static void answer(HttpExchange exchange, int code, ObjectNode body) throws IOException {
        byte[] bytes = Json.bytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        if ("HEAD".equals(exchange.getRequestMethod())) {
            exchange.sendResponseHeaders(code, -1);
            return;
        }
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                query.put(key, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return query;
    }

    private static boolean isTrue(String value) {
        return "true".equals(value) || "1".equals(value);
    }

    /** Stops listening and ends every watch. */
    @Override
    public void close() {
        closed = true;
        server.stop(0);
        threads.shutdownNow();
    }
}
