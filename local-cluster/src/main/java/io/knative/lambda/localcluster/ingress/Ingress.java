package io.knative.lambda.localcluster.ingress;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.knative.lambda.localcluster.serving.RevisionRunner;
import io.knative.lambda.localcluster.store.Json;
import io.knative.lambda.localcluster.store.ObjectStore;

/**
 * Local mode's ingress, Knative's networking layer on one port: a request for
 * {@code http://{service}.{namespace}.localhost:PORT/...} (curl and browsers resolve {@code *.localhost} to loopback)
 * is forwarded to the process of the revision that takes the Service's traffic ({@link Routes}, {@link Forwarding}).
 * An unknown host is 404 {@code FunctionNotFound}, a function with nothing ready to answer 503 {@code FunctionNotReady}
 * (with {@code Retry-After}), both as JSON {@code {"error", "message"}}. Keep-alive connections; at most 1,024
 * requests in flight (503 {@code Overloaded} beyond).
 */
public final class Ingress implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Ingress.class.getName());
    private static final int MAX_IN_FLIGHT = 1024;

    private final HttpServer server;
    private final ExecutorService threads;
    private final Routes routes;
    private final Forwarding forwarding = new Forwarding();
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);

    private Ingress(HttpServer server, ExecutorService threads, Routes routes) {
        this.server = server;
        this.threads = threads;
        this.routes = routes;
    }

    /**
     * Listens on {@code host:port} (0: a free port) for hosts under {@code domain} (e.g. {@code localhost}), routing to
     * the Services of {@code store} run by {@code runner}.
     */
    public static Ingress start(ObjectStore store, RevisionRunner runner, String host, int port, String domain)
            throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 1024);
        ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "ingress");
            t.setDaemon(true);
            return t;
        });
        Ingress ingress = new Ingress(server, threads, new Routes(store, runner, domain));
        server.createContext("/", ingress::handle);
        server.setExecutor(threads);
        server.start();
        return ingress;
    }

    /** The port it listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://host:port}. */
    public String url() {
        return "http://" + server.getAddress().getHostString() + ":" + port();
    }

    private void handle(HttpExchange exchange) {
        try {
            if (!inFlight.tryAcquire()) {
                error(exchange, 503, "Overloaded", "the ingress has " + MAX_IN_FLIGHT + " requests in flight; retry");
                return;
            }
            try {
                String host = exchange.getRequestURI().getHost() != null ? exchange.getRequestURI().getAuthority()
                        : exchange.getRequestHeaders().getFirst("Host");
                Routes.Route route = routes.resolve(host);
                if (route instanceof Routes.Route.Unknown unknown) {
                    error(exchange, 404, "FunctionNotFound", unknown.message());
                } else if (route instanceof Routes.Route.NotReady notReady) {
                    exchange.getResponseHeaders().set("Retry-After", "1");
                    error(exchange, 503, "FunctionNotReady", notReady.message());
                } else {
                    forwarding.forward(exchange, ((Routes.Route.Ready) route).endpoint(), host);
                }
            } finally {
                inFlight.release();
            }
        } catch (Forwarding.UpstreamUnavailable e) {
            answerQuietly(exchange, 503, "FunctionUnavailable", "the function's process did not answer: " + e.getMessage());
        } catch (NumberFormatException e) {
            answerQuietly(exchange, 400, "BadRequest", "the Content-Length is not a number");
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "request to " + exchange.getRequestURI() + " broke off: " + e);
        } finally {
            exchange.close();
        }
    }

    private static void answerQuietly(HttpExchange exchange, int status, String code, String message) {
        try {
            error(exchange, status, code, message);
        } catch (IOException | RuntimeException alreadyAnswering) {
            // the answer had started: the connection closes, the client sees a broken-off answer
        }
    }

    private static void error(HttpExchange exchange, int status, String code, String message) throws IOException {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("error", code);
        body.put("message", message);
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Stops listening and closes the connections. */
    @Override
    public void close() {
        server.stop(0);
        routes.close();
        threads.shutdownNow();
    }
}
