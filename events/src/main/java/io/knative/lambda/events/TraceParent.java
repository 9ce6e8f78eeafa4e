package io.knative.lambda.events;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A W3C trace context ({@code traceparent}: {@code 00-<trace-id>-<span-id>-<flags>}), as the CloudEvents
 * distributed-tracing extension carries it in the event attribute {@code traceparent}: every event of one upload
 * shares its trace id (the S3 notification starts the trace, each service's reply is a child span).
 *
 * @param traceId 32 lowercase hex digits, not all zero
 * @param spanId  16 lowercase hex digits, not all zero
 * @param flags   2 hex digits ({@code 01}: sampled)
 */
public record TraceParent(String traceId, String spanId, String flags) {

    /** The CloudEvents extension attribute (and HTTP header) that carries it. */
    public static final String ATTRIBUTE = "traceparent";

    private static final Pattern HEADER = Pattern.compile("([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    public TraceParent {
        if (traceId == null || !traceId.matches("[0-9a-f]{32}") || traceId.chars().allMatch(c -> c == '0')) {
            throw new IllegalArgumentException("a trace id is 32 lowercase hex digits, not all zero: " + traceId);
        }
        if (spanId == null || !spanId.matches("[0-9a-f]{16}") || spanId.chars().allMatch(c -> c == '0')) {
            throw new IllegalArgumentException("a span id is 16 lowercase hex digits, not all zero: " + spanId);
        }
        if (flags == null || !flags.matches("[0-9a-f]{2}")) {
            throw new IllegalArgumentException("trace flags are 2 hex digits: " + flags);
        }
    }

    /**
     * The trace context of a {@code traceparent} value; empty when it is missing or malformed (as the W3C rules say: a
     * receiver that cannot parse it starts a new trace), or of version {@code ff}.
     */
    public static Optional<TraceParent> parse(String header) {
        if (header == null) {
            return Optional.empty();
        }
        var m = HEADER.matcher(header.trim());
        if (!m.matches() || "ff".equals(m.group(1)) || "00".equals(m.group(1)) && m.group(5) != null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new TraceParent(m.group(2), m.group(3), m.group(4)));
        } catch (IllegalArgumentException allZero) {
            return Optional.empty();
        }
    }

    /** A new trace (random ids, sampled). */
    public static TraceParent start() {
        return new TraceParent(randomHex(16), randomHex(8), "01");
    }

    /**
     * A new trace whose id is derived from {@code seed} (an event id): a notification delivered twice starts the same
     * trace, so its duplicate's events stay in the one timeline.
     */
    public static TraceParent startFrom(String seed) {
        String hash = sha256(seed);
        return new TraceParent(nonZero(hash.substring(0, 32)), nonZero(hash.substring(32, 48)), "01");
    }

    /** The trace of {@code header} continued, or a new one when it has none. */
    public static TraceParent continueOrStart(String header) {
        return parse(header).map(TraceParent::child).orElseGet(TraceParent::start);
    }

    /** A child span in the same trace: a new span id, the same trace id and flags. */
    public TraceParent child() {
        return new TraceParent(traceId, randomHex(8), flags);
    }

    /**
     * A child span whose id is derived from this span and {@code seed} (a reply's id): the same request answered twice
     * carries the same traceparent.
     */
    public TraceParent child(String seed) {
        return new TraceParent(traceId, nonZero(sha256(spanId + "\n" + seed).substring(0, 16)), flags);
    }

    /** The {@code traceparent} value. */
    public String header() {
        return "00-" + traceId + "-" + spanId + "-" + flags;
    }

    @Override
    public String toString() {
        return header();
    }

    private static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        do {
            RANDOM.nextBytes(b);
        } while (allZero(b));
        return HEX.formatHex(b);
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static String nonZero(String hex) {
        return hex.chars().allMatch(c -> c == '0') ? hex.substring(0, hex.length() - 1) + "1" : hex;
    }

    private static String sha256(String text) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
