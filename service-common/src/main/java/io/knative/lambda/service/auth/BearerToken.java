package io.knative.lambda.service.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** The token of an {@code Authorization: Bearer <token>} header, and a comparison that takes the same time whatever differs. */
public final class BearerToken {

    private static final String SCHEME = "bearer ";

    private BearerToken() {
    }

    /** The token of the header, or {@code null} when there is no header or it is not a non-empty bearer token. */
    public static String of(String authorization) {
        if (authorization == null || authorization.length() <= SCHEME.length()
                || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return null;
        }
        String token = authorization.substring(SCHEME.length()).trim();
        return token.isEmpty() ? null : token;
    }

    /**
     * Whether {@code authorization} carries exactly {@code expected} as its bearer token; constant time in the
     * token's content ({@link MessageDigest#isEqual}), so the comparison reveals nothing of the expected token.
     */
    public static boolean matches(String authorization, String expected) {
        String token = of(authorization);
        byte[] given = (token == null ? "" : token).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, expected.getBytes(StandardCharsets.UTF_8)) && token != null;
    }
}
