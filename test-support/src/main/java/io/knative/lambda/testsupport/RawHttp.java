package io.knative.lambda.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 as a hostile client writes it: raw bytes on a socket (what an HTTP client library refuses to
 * send: a chunk size {@code zz}, {@code Transfer-Encoding} with {@code Content-Length}, control characters
 * in headers), and the first response read back as it came.
 */
public final class RawHttp {

    /** One response: status, headers by lower-case name, body (by {@code Content-Length}, else to the close). */
    public record Response(int status, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private RawHttp() {
    }

    /** Sends {@code request} to 127.0.0.1:{@code port} and reads one response (10 s at most). */
    public static Response exchange(int port, String request) {
        return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Sends raw bytes and reads one response. */
    public static Response exchange(int port, byte[] request) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            return read(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends the start of a request and closes the connection, as a client that gives up mid-body. */
    public static void sendAndClose(int port, String partialRequest) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.getOutputStream().write(partialRequest.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Response read(InputStream in) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        int headEnd = -1;
        byte[] buffer = new byte[8192];
        try {
            while (headEnd < 0) {
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                raw.write(buffer, 0, n);
                headEnd = raw.toString(StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n");
            }
        } catch (SocketTimeoutException e) {
            throw new IOException("no response head within 10 s; got: " + raw.toString(StandardCharsets.ISO_8859_1), e);
        }
        String text = raw.toString(StandardCharsets.ISO_8859_1);
        if (headEnd < 0) {
            throw new IOException("the connection closed without a response head; got: '" + text + "'");
        }
        String[] lines = text.substring(0, headEnd).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(raw.toByteArray(), headEnd + 4, raw.size() - headEnd - 4);
        long length = headers.containsKey("content-length") ? Long.parseLong(headers.get("content-length")) : Long.MAX_VALUE;
        try {
            while (body.size() < length) {
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                body.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            if (length != Long.MAX_VALUE) {
                throw e;
            }
        }
        return new Response(status, headers, body.toString(StandardCharsets.UTF_8));
    }
}
