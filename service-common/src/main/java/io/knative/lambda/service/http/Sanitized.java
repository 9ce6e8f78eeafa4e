package io.knative.lambda.service.http;

/** Text from a request made safe to echo in an error message or a log line: no control characters, bounded length. */
public final class Sanitized {

    private Sanitized() {
    }

    /** {@code text} with every control character as {@code ?}, cut to {@code max} characters (with "..."). */
    public static String text(String text, int max) {
        if (text == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), max + 3));
        for (int i = 0; i < text.length() && out.length() < max; i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) ? '?' : c);
        }
        if (text.length() > max) {
            out.append("...");
        }
        return out.toString();
    }

    /** Whether {@code text} holds a control character (U+0000-U+001F, U+007F-U+009F). */
    public static boolean hasControlCharacter(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isISOControl(text.charAt(i))) {
                return true;
            }
        }
        return false;
    }
}
