package io.knative.lambda.service.http;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;

/** Health and metrics ({@code /q/*}) answer GET and HEAD only; any other method is 405 with {@code Allow}. */
@ApplicationScoped
public class ReadOnlyEndpoints {

    /** Quarkus' non-application root ({@code quarkus.http.non-application-root-path}, not changed by the services). */
    static final String PATHS = "/q/*";

    void install(@Observes Router router) {
        router.route(PATHS).order(Integer.MIN_VALUE + 2).handler(ctx -> {
            HttpMethod method = ctx.request().method();
            if (method == HttpMethod.GET || method == HttpMethod.HEAD) {
                ctx.next();
            } else {
                JsonAnswers.methodNotAllowed(ctx, "GET, HEAD");
            }
        });
    }
}
