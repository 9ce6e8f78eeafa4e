package io.knative.lambda.service.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Attribute values in {@code ce-*} headers as the CloudEvents HTTP binding writes them: space, {@code "},
 * {@code %} and everything outside printable ASCII percent-encoded (UTF-8), decoded on receipt.
 */
public final class HeaderValues {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private HeaderValues() {
    }

    /** The value as a {@code ce-*} header carries it. */
    public static String encode(String value) {
        StringBuilder out = null;
        byte[] bytes = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c > ' ' && c < 0x7f && c != '"' && c != '%') {
                continue;
            }
            bytes = value.getBytes(StandardCharsets.UTF_8);
            out = new StringBuilder(bytes.length + 16);
            break;
        }
        if (out == null) {
            return value;
        }
        for (byte b : bytes) {
            int u = b & 0xff;
            if (u > ' ' && u < 0x7f && u != '"' && u != '%') {
                out.append((char) u);
            } else {
                out.append('%').append(HEX[u >> 4]).append(HEX[u & 0xf]);
            }
        }
        return out.toString();
    }

    /**
     * The value a {@code ce-*} header carries. The HTTP server hands over header bytes one char each
     * (ISO-8859-1), so raw UTF-8 that a sender did not encode is decoded as UTF-8 too.
     *
     * @throws IllegalArgumentException when a {@code %} is not followed by two hex digits, or the bytes are not UTF-8
     */
    public static String decode(String header) {
        if (header.chars().allMatch(c -> c != '%' && c < 0x80)) {
            return header;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(header.length());
        for (int i = 0; i < header.length(); i++) {
            char c = header.charAt(i);
            if (c == '%') {
                int hi = i + 2 < header.length() ? Character.digit(header.charAt(i + 1), 16) : -1;
                int lo = hi < 0 ? -1 : Character.digit(header.charAt(i + 2), 16);
                if (lo < 0) {
                    throw new IllegalArgumentException("'%' must be followed by two hex digits (percent-encoding)");
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else if (c <= 0xff) {
                bytes.write(c);
            } else {
                byte[] raw = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(raw, 0, raw.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the percent-encoded bytes are not UTF-8");
        }
    }
}
