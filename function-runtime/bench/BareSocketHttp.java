import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Bare baseline for the Java cold start: a minimal HTTP/1.1 server of its own on blocking sockets, a thread per
 * connection, nothing but java.base.
 *
 * <p>The shape the Python runtime's server has (its own framing, keep-alive, Nagle off, one write per answer), to
 * measure what that design would give a Java runtime without Quarkus: start and throughput. It frames only what wrk
 * and the benchmark send (a request line, headers, a Content-Length body); no chunked bodies, limits or errors. POST
 * does the trivial function as {@code BareJdkHttp} does (BARE_BODY=fixed: a fixed answer); GET answers
 * {"status":"UP"}. bench_runtime.py compiles and runs it.
 */
public final class BareSocketHttp {

    private static final boolean PARSE = !"fixed".equals(System.getenv("BARE_BODY"));

    private BareSocketHttp() {
    }

    public static void main(String[] args) throws IOException {
        String host = System.getenv().getOrDefault("HOST", "0.0.0.0");
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"));
        ServerSocket server = new ServerSocket(port, 1024, InetAddress.getByName(host));
        while (true) {
            Socket socket = server.accept();
            Thread thread = new Thread(() -> serve(socket), "conn");
            thread.setDaemon(true);
            thread.start();
        }
    }

    private static void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            OutputStream out = socket.getOutputStream();
            while (true) {
                String line = line(in);
                if (line == null) {
                    return;
                }
                int length = 0;
                for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
                    int colon = header.indexOf(':');
                    if (colon > 0 && header.regionMatches(true, 0, "Content-Length", 0, colon)) {
                        length = Integer.parseInt(header.substring(colon + 1).strip());
                    }
                }
                byte[] body = in.readNBytes(length);
                byte[] answer = answer(line.startsWith("POST"), new String(body, StandardCharsets.UTF_8));
                byte[] head = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + answer.length
                        + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
                byte[] response = new byte[head.length + answer.length];
                System.arraycopy(head, 0, response, 0, head.length);
                System.arraycopy(answer, 0, response, head.length, answer.length);
                out.write(response);
            }
        } catch (IOException | RuntimeException gone) {
            // the connection ends: nothing to report in a benchmark server
        }
    }

    private static byte[] answer(boolean post, String body) {
        if (!post) {
            return "{\"status\":\"UP\"}".getBytes(StandardCharsets.UTF_8);
        }
        if (!PARSE) {
            return "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
        }
        int key = body.indexOf("\"n\"");
        String n = "null";
        if (key >= 0) {
            int colon = body.indexOf(':', key);
            int end = colon + 1;
            while (end < body.length() && body.charAt(end) != ',' && body.charAt(end) != '}') {
                end++;
            }
            n = body.substring(colon + 1, end).strip();
        }
        return ("{\"ok\":true,\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8);
    }

    /** One CRLF-terminated line in ISO-8859-1, without the CRLF; null at the end of the stream. */
    private static String line(InputStream in) throws IOException {
        StringBuilder text = new StringBuilder(64);
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                return null;
            }
            if (c != '\r') {
                text.append((char) c);
            }
        }
        return text.toString();
    }
}
