package io.knative.lambda.runtime.bench;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;

/** The bare baseline: POST / reads the body and answers fixed JSON on the event loop; GET /health/ready answers UP. */
@ApplicationScoped
public class BareRoutes {

    private static final String BODY = "{\"ok\":true}";

    void routes(@Observes Router router) {
        router.post("/").handler(ctx -> {
            Buffer body = Buffer.buffer();
            ctx.request().handler(body::appendBuffer);
            ctx.request().endHandler(v -> ctx.response().putHeader("Content-Type", "application/json").end(BODY));
            ctx.request().resume();
        });
        router.get("/health/ready").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json").end("{\"status\":\"UP\"}"));
    }
}
