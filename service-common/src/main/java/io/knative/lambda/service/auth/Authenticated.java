package io.knative.lambda.service.auth;

import io.vertx.ext.web.RoutingContext;

/** The verified token subject of a request, kept on its routing context for the handlers after authentication. */
public final class Authenticated {

    private static final String KEY = "klambda.auth.subject";

    private Authenticated() {
    }

    /** Records {@code subject} as the request's verified caller. */
    public static void set(RoutingContext ctx, String subject) {
        ctx.put(KEY, subject);
    }

    /** The verified subject, or {@code null} when the request was not authenticated by a token. */
    public static String subject(RoutingContext ctx) {
        return ctx.get(KEY);
    }
}
