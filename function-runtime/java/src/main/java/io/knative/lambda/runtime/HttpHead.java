package io.knative.lambda.runtime;

import java.io.IOException;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The request line and headers of one request: header names in lower case, in the order sent, repeats kept. */
final class HttpHead {

    /** Beyond this many bytes, a request line is answered 414. */
    static final int MAX_REQUEST_LINE = 8 * 1024;
    /** Beyond this many bytes of header lines (or {@link #MAX_HEADERS} lines), 431. */
    static final int MAX_HEADER_BYTES = 20 * 1024;
    static final int MAX_HEADERS = 100;

    final String method;
    final String path;
    final String version;
    private final List<Map.Entry<String, String>> fields = new ArrayList<>(12);

    private HttpHead(String method, String path, String version) {
        this.method = method;
        this.path = path;
        this.version = version;
    }

    /** A head that cannot be accepted: the status (400, 414, 431) and what was wrong, in our words. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        final int status;

        Refused(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    /** Reads one request head; null when the connection ended (or idled out) before a request began. */
    static HttpHead read(HttpInput input) throws IOException, Refused {
        String line;
        try {
            line = input.line(MAX_REQUEST_LINE);
            for (int blank = 0; line != null && line.isEmpty() && blank < 4; blank++) { // CRLFs a client left after a body
                line = input.line(MAX_REQUEST_LINE);
            }
        } catch (HttpInput.LineTooLongException e) {
            throw new Refused(414, "request line too long");
        }
        if (line == null) {
            return null;
        }
        String[] parts = line.split(" ", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || !parts[2].startsWith("HTTP/1.")) {
            throw new Refused(400, "malformed request line");
        }
        HttpHead head = new HttpHead(parts[0], parts[1], parts[2]);
        int bytes = 0;
        while (true) {
            String field;
            try {
                field = input.line(MAX_HEADER_BYTES - bytes);
            } catch (HttpInput.LineTooLongException e) {
                throw new Refused(431, "request headers too large");
            }
            if (field == null) {
                throw new HttpInput.MalformedException("the request ended inside its headers");
            }
            if (field.isEmpty()) {
                return head;
            }
            bytes += field.length() + 2;
            if (head.fields.size() >= MAX_HEADERS) {
                throw new Refused(431, "request headers too large");
            }
            head.add(field);
        }
    }

    /** One header line. No space around the name (a proxy could read "Transfer-Encoding :" differently), no control character. */
    private void add(String field) throws Refused {
        int colon = field.indexOf(':');
        if (colon <= 0 || field.charAt(0) == ' ' || field.charAt(0) == '\t' || field.charAt(colon - 1) == ' '
                || field.charAt(colon - 1) == '\t') {
            throw new Refused(400, "malformed header line");
        }
        for (int i = 0; i < colon; i++) {
            char c = field.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                throw new Refused(400, "malformed header line");
            }
        }
        int from = colon + 1;
        int to = field.length();
        while (from < to && (field.charAt(from) == ' ' || field.charAt(from) == '\t')) {
            from++;
        }
        while (to > from && (field.charAt(to - 1) == ' ' || field.charAt(to - 1) == '\t')) {
            to--;
        }
        String value = field.substring(from, to);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < ' ' && c != '\t' || c == 0x7f) {
                throw new Refused(400, "a header value holds a control character");
            }
        }
        fields.add(new AbstractMap.SimpleImmutableEntry<>(field.substring(0, colon).toLowerCase(Locale.ROOT), value));
    }

    /** The header {@code name} (any case); a header sent more than once, its values joined with ", "; or null. */
    String header(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        String found = null;
        for (Map.Entry<String, String> f : fields) {
            if (f.getKey().equals(lower)) {
                found = found == null ? f.getValue() : found + ", " + f.getValue();
            }
        }
        return found;
    }

    /** Every header as sent (repeats kept), names in lower case. */
    List<Map.Entry<String, String>> headers() {
        return java.util.Collections.unmodifiableList(fields);
    }

    /** Whether the client asked to keep the connection open (HTTP/1.1 unless Connection: close; 1.0 only with keep-alive). */
    boolean keepAlive() {
        String connection = header("connection");
        String lower = connection == null ? "" : connection.toLowerCase(Locale.ROOT);
        return version.equals("HTTP/1.0") ? lower.contains("keep-alive") : !lower.contains("close");
    }

    /** The path without its query. */
    String route() {
        int query = path.indexOf('?');
        return query < 0 ? path : path.substring(0, query);
    }
}
