package io.knative.lambda.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;

/**
 * The CLI's few HTTP calls (the local cluster's API, the broker) with the JDK's lightest client: it starts faster
 * than {@code java.net.http}, which matters for a command that should answer at once. A platform that cannot be
 * reached is a {@link CliException} that names it.
 */
public final class Http {

    /** An answer: status, headers, body. */
    public record Answer(int status, Map<String, List<String>> headers, byte[] body) {
        /** The first value of a header, or {@code null}. */
        public String header(String name) {
            for (Map.Entry<String, List<String>> h : headers.entrySet()) {
                if (h.getKey() != null && h.getKey().equalsIgnoreCase(name) && !h.getValue().isEmpty()) {
                    return h.getValue().get(0);
                }
            }
            return null;
        }
    }

    private Http() {
    }

    /**
     * Looks up the JDK's http handler in the background while the command reads its settings: the first {@code http:}
     * URL makes the JDK ask every jar on the class path for a URL handler provider (~40 ms here, BENCHMARKS.md "CLI
     * start-up"); the answer is cached for the command's own first call.
     */
    public static void prepare() {
        Thread lookup = new Thread(new HandlerLookup(), "klambda-http-handler");
        lookup.setDaemon(true);
        lookup.start();
    }

    /** Makes one {@code http:} URL, which caches the JDK's handler for it. */
    private static final class HandlerLookup implements Runnable {
        @Override
        public void run() {
            try {
                URI.create("http://127.0.0.1/").toURL();
            } catch (java.net.MalformedURLException e) {
                // not possible for this URL; the command's own call reports any problem
            }
        }
    }

    /** GET {@code url}; {@code what} names the server in errors ("the local cluster"). */
    public static Answer get(String url, String what) {
        return call("GET", url, Map.of(), null, what);
    }

    /** POST {@code body} with {@code headers}. */
    public static Answer post(String url, Map<String, String> headers, byte[] body, String what) {
        return call("POST", url, headers, body, what);
    }

    private static Answer call(String method, String url, Map<String, String> headers, byte[] body, String what) {
        HttpURLConnection c = null;
        try {
            c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setRequestMethod(method);
            c.setConnectTimeout(5_000);
            c.setReadTimeout(30_000);
            headers.forEach(c::setRequestProperty);
            if (body != null) {
                c.setDoOutput(true);
                c.setFixedLengthStreamingMode(body.length);
                try (OutputStream out = c.getOutputStream()) {
                    out.write(body);
                }
            }
            int status = c.getResponseCode();
            InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
            byte[] bytes = in == null ? new byte[0] : in.readAllBytes();
            return new Answer(status, c.getHeaderFields(), bytes);
        } catch (ConnectException | UnknownHostException e) {
            throw new CliException("cannot reach " + what + " at " + base(url) + " (" + e.getMessage() + ")");
        } catch (SocketTimeoutException e) {
            throw new CliException(what + " at " + base(url) + " did not answer in time");
        } catch (IOException e) {
            throw new CliException("calling " + what + " at " + base(url) + " failed: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw CliException.badInput("not a URL: " + url);
        } finally {
            if (c != null) {
                c.disconnect();
            }
        }
    }

    private static String base(String url) {
        URI uri = URI.create(url);
        return uri.getScheme() + "://" + uri.getAuthority();
    }
}
