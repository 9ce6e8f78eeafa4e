package io.knative.lambda.runtime;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Java runtime's HTTP/1.1 server on blocking sockets, nothing but java.base: listens on HOST:PORT and gives each
 * connection its own thread ({@link HttpConnection}); past FUNCTION_MAX_CONNECTIONS (1024) open at once, a new one
 * is answered 503 Overloaded and closed.
 */
final class HttpTransport implements Runnable {

    private final byte[] overloaded;

    private final ServerSocket server;
    private final FunctionConfig config;
    private final Invoker invoker;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger serial = new AtomicInteger();
    private final IdleConnections idle;

    private HttpTransport(ServerSocket server, FunctionConfig config, Invoker invoker) {
        this.server = server;
        this.config = config;
        this.invoker = invoker;
        this.idle = new IdleConnections(config.idleMs());
        String body = "{\"error\":\"Overloaded\",\"message\":\"too many connections open at once ("
                + config.maxConnections() + ", FUNCTION_MAX_CONNECTIONS)\"}";
        this.overloaded = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Binds HOST:PORT; {@link #run()} then accepts connections. */
    static HttpTransport listen(FunctionConfig config, Invoker invoker) throws IOException {
        ServerSocket server = new ServerSocket();
        try {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(config.host(), config.port()), 1024);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        return new HttpTransport(server, config, invoker);
    }

    /** Accepts connections until the server socket closes. */
    @Override
    public void run() {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                continue; // closed (the loop ends), or one connection failed before it was accepted
            }
            if (open.incrementAndGet() > config.maxConnections()) {
                refuse(socket);
                continue;
            }
            try {
                Thread thread = new Thread(() -> {
                    try {
                        new HttpConnection(socket, invoker, config, idle).run();
                    } catch (IOException gone) {
                        // closed before it was served
                    } finally {
                        open.decrementAndGet();
                    }
                }, "klambda-http-" + serial.incrementAndGet());
                thread.setDaemon(true);
                thread.start();
            } catch (RuntimeException | OutOfMemoryError e) { // no thread to be had
                refuse(socket);
            }
        }
    }

    private void refuse(Socket socket) {
        try (socket) {
            socket.getOutputStream().write(overloaded);
        } catch (IOException gone) {
            // nothing more to do for it
        } finally {
            open.decrementAndGet();
        }
    }
}
