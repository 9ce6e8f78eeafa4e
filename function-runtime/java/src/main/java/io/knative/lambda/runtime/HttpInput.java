package io.knative.lambda.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The reading side of one HTTP/1.1 connection: lines of the request head and bodies framed by Content-Length or
 * chunked, from one buffer over the socket (no lock per byte, no copy per line beyond the String).
 */
final class HttpInput {

    private final InputStream in;
    private final byte[] buf = new byte[16 * 1024];
    private int pos;
    private int limit;

    HttpInput(InputStream in) {
        this.in = in;
    }

    /** Thrown when a line is longer than its bound: the caller answers 414 or 431. */
    static final class LineTooLongException extends IOException {
        private static final long serialVersionUID = 1L;

        LineTooLongException() {
            super("line too long", null);
        }
    }

    /** Thrown when the client sent something that cannot be framed: the caller answers 400 with this message. */
    static final class MalformedException extends IOException {
        private static final long serialVersionUID = 1L;

        MalformedException(String message) {
            super(message, null);
        }
    }

    /** Whether bytes are buffered already (a pipelined request): no wait on the socket for them. */
    boolean buffered() {
        return pos < limit;
    }

    /**
     * One line in ISO-8859-1 without its CRLF (or LF); null at the end of the stream before any byte of it.
     * LineTooLongException past {@code max} bytes; MalformedException when the stream ends inside the line.
     */
    String line(int max) throws IOException {
        StringBuilder text = null;
        int taken = 0;
        while (true) {
            if (pos == limit && !fill()) {
                if (text == null && taken == 0) {
                    return null;
                }
                throw new MalformedException("the request ended inside a line");
            }
            int start = pos;
            int end = start;
            while (end < limit && buf[end] != '\n') {
                end++;
            }
            int length = end - start;
            taken += length;
            if (taken > max) {
                throw new LineTooLongException();
            }
            if (end < limit) { // found the line end
                pos = end + 1;
                if (text == null) {
                    int stop = length > 0 && buf[end - 1] == '\r' ? end - 1 : end;
                    return new String(buf, start, stop - start, StandardCharsets.ISO_8859_1);
                }
                text.append(new String(buf, start, length, StandardCharsets.ISO_8859_1));
                int n = text.length();
                return n > 0 && text.charAt(n - 1) == '\r' ? text.substring(0, n - 1) : text.toString();
            }
            if (text == null) {
                text = new StringBuilder(Math.max(64, length * 2));
            }
            text.append(new String(buf, start, length, StandardCharsets.ISO_8859_1));
            pos = limit;
        }
    }

    /** Exactly {@code n} bytes; MalformedException when the stream ends first. */
    byte[] bytes(int n) throws IOException {
        byte[] out = new byte[n];
        int got = 0;
        while (got < n) {
            if (pos == limit && !fill()) {
                throw new MalformedException("the body ended after " + got + " of " + n + " bytes");
            }
            int take = Math.min(n - got, limit - pos);
            System.arraycopy(buf, pos, out, got, take);
            pos += take;
            got += take;
        }
        return out;
    }

    /**
     * A chunked body, at most {@code max} bytes of data (returns null past it, with the rest unread); trailers are
     * read and dropped. MalformedException for a bad chunk size or line end, or a stream that ends early.
     */
    byte[] chunked(int max) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream(1024);
        while (true) {
            String sizeLine;
            try {
                sizeLine = line(1024);
            } catch (LineTooLongException e) {
                throw new MalformedException("malformed chunk size");
            }
            if (sizeLine == null) {
                throw new MalformedException("the body ended early");
            }
            long size = chunkSize(sizeLine);
            if (size < 0) {
                throw new MalformedException("malformed chunk size");
            }
            if (size == 0) {
                for (String trailer = line(65536); ; trailer = line(65536)) {
                    if (trailer == null) {
                        throw new MalformedException("the body ended early");
                    }
                    if (trailer.isEmpty()) {
                        return body.toByteArray();
                    }
                }
            }
            if (body.size() + size > max) {
                return null;
            }
            body.write(bytes((int) size));
            String end = chunkLine(2);
            if (end == null || !end.isEmpty()) {
                throw new MalformedException("malformed chunked body");
            }
        }
    }

    /** A line of the chunked framing: one longer than {@code max} is malformed, not a line too long. */
    private String chunkLine(int max) throws IOException {
        try {
            return line(max);
        } catch (LineTooLongException e) {
            throw new MalformedException("malformed chunked body");
        }
    }

    /** The size of a chunk-size line (hex digits, then optional ;extensions), or -1. */
    static long chunkSize(String line) {
        int semicolon = line.indexOf(';');
        String digits = (semicolon < 0 ? line : line.substring(0, semicolon)).strip();
        if (digits.isEmpty() || digits.length() > 15) {
            return -1;
        }
        long size = 0;
        for (int i = 0; i < digits.length(); i++) {
            int d = Character.digit(digits.charAt(i), 16);
            if (d < 0) {
                return -1;
            }
            size = size * 16 + d;
        }
        return size;
    }

    /**
     * Reads and drops what the client still sends, at most {@code bound} bytes or until {@code deadlineNanos}
     * (System.nanoTime), so that closing does not reset a connection whose client has not read the answer yet.
     */
    void drain(long bound, long deadlineNanos, java.net.Socket socket) {
        long dropped = limit - pos;
        pos = limit;
        try {
            while (dropped <= bound) {
                long left = (deadlineNanos - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return;
                }
                socket.setSoTimeout((int) Math.max(1, left));
                int n = in.read(buf, 0, buf.length);
                if (n < 0) {
                    return;
                }
                dropped += n;
            }
        } catch (IOException gone) {
            // the client went away or stayed silent: done either way
        }
    }

    private boolean fill() throws IOException {
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) {
            return false;
        }
        pos = 0;
        limit = n;
        return true;
    }
}
