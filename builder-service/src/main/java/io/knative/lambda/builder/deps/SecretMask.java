package io.knative.lambda.builder.deps;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Removes credentials from text a person or a log will see: every configured secret, and the user-information part
 * of any URL ({@code https://user:token@host} becomes {@code https://***@host}).
 */
public final class SecretMask {

    private static final Pattern URL_USER_INFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^/@\\s'\"]+@");
    private final List<String> secrets;

    public SecretMask(List<String> secrets) {
        this.secrets = secrets.stream().filter(Objects::nonNull).filter(s -> s.length() >= 3).toList();
    }

    public String mask(String text) {
        if (text == null) {
            return null;
        }
        String masked = URL_USER_INFO.matcher(text).replaceAll("$1***@");
        for (String secret : secrets) {
            masked = masked.replace(secret, "***");
        }
        return masked;
    }
}
