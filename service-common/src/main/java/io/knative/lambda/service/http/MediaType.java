package io.knative.lambda.service.http;

import java.util.Locale;

/**
 * A {@code Content-Type} value and its {@code type/subtype} in lower case. A {@code charset} parameter is not
 * read: JSON is UTF-8 (RFC 8259) whatever a client declares, and {@link StrictJson} refuses other bytes.
 *
 * @param text    the value as sent
 * @param essence {@code type/subtype}, lower case
 */
record MediaType(String text, String essence) {

    /** Reads a {@code Content-Type} value; anything without a {@code /} is refused with 415. */
    static MediaType parse(String value) {
        String essence = value.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        int slash = essence.indexOf('/');
        if (slash <= 0 || slash == essence.length() - 1) {
            throw new UnsupportedMediaTypeException("Content-Type '" + Sanitized.text(value, 60) + "' is not a media type");
        }
        return new MediaType(value.strip(), essence);
    }

    boolean is(String essence) {
        return this.essence.equals(essence);
    }

    /** {@code application/json}, {@code text/json} or any {@code +json} type. */
    boolean isJson() {
        return essence.equals("application/json") || essence.equals("text/json") || essence.endsWith("+json");
    }
}
