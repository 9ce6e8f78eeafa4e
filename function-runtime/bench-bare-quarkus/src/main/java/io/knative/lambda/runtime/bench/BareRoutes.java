package io.knative.lambda.runtime.bench;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The bare baseline: POST / reads the body and answers fixed JSON, on the event loop, or with BARE_EXECUTION=worker
 * from Quarkus' worker pool (a plain blocking endpoint); GET /health/ready answers UP.
 */
@ApplicationScoped
public class BareRoutes {

    private static final String BODY = "{\"ok\":true}";
    private static final boolean WORKER = "worker".equals(System.getenv("BARE_EXECUTION"));

    void routes(@Observes Router router) {
        router.post("/").handler(ctx -> {
            Buffer body = Buffer.buffer();
            ctx.request().handler(body::appendBuffer);
            ctx.request().endHandler(v -> {
                if (WORKER) {
                    ctx.vertx().executeBlocking(() -> BODY, false).onSuccess(answer -> answer(ctx, answer));
                } else {
                    answer(ctx, BODY);
                }
            });
            ctx.request().resume();
        });
        router.get("/health/ready").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json").end("{\"status\":\"UP\"}"));
    }

    private static void answer(RoutingContext ctx, String body) {
        ctx.response().putHeader("Content-Type", "application/json").end(body);
    }
}
