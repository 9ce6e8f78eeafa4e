package io.knative.lambda.service.http;

import java.util.Locale;

/**
 * A {@code Content-Type} value: {@code type/subtype} in lower case and its {@code charset}, if any.
 *
 * @param text    the value as sent
 * @param essence {@code type/subtype}, lower case
 * @param charset the {@code charset} parameter, lower case, or {@code null}
 */
record MediaType(String text, String essence, String charset) {

    /** Reads a {@code Content-Type} value; anything without a {@code /} is refused with 415. */
    static MediaType parse(String value) {
        String[] parts = value.split(";");
        String essence = parts[0].strip().toLowerCase(Locale.ROOT);
        int slash = essence.indexOf('/');
        if (slash <= 0 || slash == essence.length() - 1) {
            throw new UnsupportedMediaTypeException("Content-Type '" + Sanitized.text(value, 60) + "' is not a media type");
        }
        String charset = null;
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].strip();
            if (parameter.toLowerCase(Locale.ROOT).startsWith("charset=")) {
                charset = parameter.substring("charset=".length()).replace("\"", "").strip().toLowerCase(Locale.ROOT);
            }
        }
        return new MediaType(value.strip(), essence, charset);
    }

    boolean is(String essence) {
        return this.essence.equals(essence);
    }

    /** {@code application/json}, {@code text/json} or any {@code +json} type. */
    boolean isJson() {
        return essence.equals("application/json") || essence.equals("text/json") || essence.endsWith("+json");
    }

    /** JSON travels in UTF-8 (RFC 8259); another declared charset is refused with 415. */
    void requireUtf8() {
        if (charset != null && !charset.equals("utf-8") && !charset.equals("utf8")) {
            throw new UnsupportedMediaTypeException("JSON must be UTF-8, not charset=" + Sanitized.text(charset, 30));
        }
    }
}
