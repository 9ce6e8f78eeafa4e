package io.knative.lambda.builder.jib;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.knative.lambda.testsupport.LocalProcess;

/**
 * A loopback port in front of a real registry that fails on purpose, so that failing and succeeding builds use the
 * same host and port (the same connection pool): it forwards to the registry, is down (connection refused), answers
 * every request with 401, or accepts connections and never answers. Changing the mode ends the connections of the
 * mode before, as a registry restart would.
 */
final class RegistryFront implements AutoCloseable {

    enum Mode { FORWARD, DOWN, UNAUTHORIZED, SILENT }

    private static final byte TLS_HANDSHAKE = 0x16;
    private static final String UNAUTHORIZED_BODY = "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}";

    private final int port = LocalProcess.freePort();
    private final InetSocketAddress registry;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "registry-front");
        t.setDaemon(true);
        return t;
    });
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private ServerSocket listener;
    private volatile Mode mode = Mode.DOWN;

    /** Forwarding to the registry at {@code registryPort} on loopback. */
    RegistryFront(int registryPort) {
        this.registry = new InetSocketAddress(InetAddress.getLoopbackAddress(), registryPort);
        set(Mode.FORWARD);
    }

    /** {@code 127.0.0.1:<port>}, the registry part of an image reference. */
    String host() {
        return "127.0.0.1:" + port;
    }

    synchronized void set(Mode next) {
        open.forEach(RegistryFront::closeQuietly);
        open.clear();
        mode = next;
        if (next == Mode.DOWN && listener != null) {
            closeQuietly(listener);
            listener = null;
        } else if (next != Mode.DOWN && listener == null) {
            listen();
        }
    }

    private void listen() {
        try {
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            listener = server;
            threads.execute(() -> accept(server));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + host(), e);
        }
    }

    private void accept(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                open.add(client);
                Mode now = mode;
                threads.execute(() -> serve(client, now));
            } catch (IOException e) {
                return; // closed: the front is down
            }
        }
    }

    private void serve(Socket client, Mode now) {
        try (client) {
            switch (now) {
                case FORWARD -> forward(client);
                case UNAUTHORIZED -> unauthorized(client);
                case SILENT -> client.getInputStream().transferTo(OutputStream.nullOutputStream());
                case DOWN -> { }
            }
        } catch (IOException e) {
            // the connection ended, as connections do
        } finally {
            open.remove(client);
        }
    }

    private void forward(Socket client) throws IOException {
        try (Socket upstream = new Socket()) {
            upstream.connect(registry);
            threads.execute(() -> pump(upstream, client));
            pump(client, upstream);
        }
    }

    private static void pump(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
        } catch (IOException e) {
            // one side closed
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    /** A plain-HTTP registry that wants credentials: 401 to a request; a TLS hello gets a 400 in plain HTTP, as from Go. */
    private static void unauthorized(Socket client) throws IOException {
        InputStream in = client.getInputStream();
        OutputStream out = client.getOutputStream();
        int first = in.read();
        if (first == TLS_HANDSHAKE) {
            out.write("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n400 Bad Request".getBytes(StandardCharsets.US_ASCII));
            return;
        }
        int matched = 0;
        for (int b = first; b >= 0; b = in.read()) { // the request's head, up to the empty line
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                break;
            }
        }
        out.write(("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"registry\"\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + UNAUTHORIZED_BODY.length()
                + "\r\nConnection: close\r\n\r\n" + UNAUTHORIZED_BODY).getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public synchronized void close() {
        set(Mode.DOWN);
        threads.shutdownNow();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // already closed
        }
    }
}
