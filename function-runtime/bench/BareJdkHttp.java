import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Bare baseline for the Java cold start: the JDK's own HTTP server (jdk.httpserver), no framework, no library.
 *
 * <p>POST / does the benchmark's trivial function in plain code: reads the body, takes the value of "n" out of it
 * with a string scan (no JSON library is loaded: the runtime's Jackson streaming parser is part of what a runtime
 * would add to this floor) and answers {"ok":true,"n":<n>}; with BARE_BODY=fixed it only reads the body and answers
 * fixed JSON. On a pool of 16 threads (the runtime's default FUNCTION_CONCURRENCY), or with
 * BARE_EXECUTION=event-loop on the server's one dispatcher thread. GET answers {"status":"UP"}. No runtime contract:
 * no CloudEvents, metrics, logging, limits or timeouts. It measures what a lighter HTTP layer than Quarkus could give
 * the Java runtime's cold start (issue 19); bench_runtime.py compiles and runs it.
 */
public final class BareJdkHttp {

    private static final byte[] FIXED = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
    private static final byte[] UP = "{\"status\":\"UP\"}".getBytes(StandardCharsets.UTF_8);
    private static final boolean PARSE = !"fixed".equals(System.getenv("BARE_BODY"));

    private BareJdkHttp() {
    }

    public static void main(String[] args) throws IOException {
        // Nagle off: JDK 17's server leaves it on, and every keep-alive answer then waits ~40 ms for a delayed ACK
        System.setProperty("sun.net.httpserver.nodelay", "true");
        String host = System.getenv().getOrDefault("HOST", "0.0.0.0");
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"));
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 1024);
        server.createContext("/", BareJdkHttp::handle);
        if (!"event-loop".equals(System.getenv("BARE_EXECUTION"))) {
            server.setExecutor(Executors.newFixedThreadPool(16));
        }
        server.start();
    }

    private static void handle(HttpExchange exchange) throws IOException {
        byte[] in = exchange.getRequestBody().readAllBytes();
        byte[] out;
        int status = 200;
        if (!"POST".equals(exchange.getRequestMethod())) {
            out = UP;
        } else if (!PARSE) {
            out = FIXED;
        } else {
            String n = field(new String(in, StandardCharsets.UTF_8), "n");
            if (n == null) {
                status = 400;
                out = new byte[0];
            } else {
                out = ("{\"ok\":true,\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8);
            }
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, out.length == 0 ? -1 : out.length);
        try (OutputStream body = exchange.getResponseBody()) {
            body.write(out);
        }
    }

    /** The raw JSON value of a top-level field of a flat object ("null" when absent), or null if it is not an object. */
    private static String field(String json, String name) {
        String text = json.strip();
        if (!text.startsWith("{") || !text.endsWith("}")) {
            return null;
        }
        int key = text.indexOf("\"" + name + "\"");
        if (key < 0) {
            return "null";
        }
        int colon = text.indexOf(':', key);
        int end = colon + 1;
        while (end < text.length() && text.charAt(end) != ',' && text.charAt(end) != '}') {
            end++;
        }
        return colon < 0 ? null : text.substring(colon + 1, end).strip();
    }
}
