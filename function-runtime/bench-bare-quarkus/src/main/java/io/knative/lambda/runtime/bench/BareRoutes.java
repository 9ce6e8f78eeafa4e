package io.knative.lambda.runtime.bench;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The bare baseline: POST / does the benchmark's trivial function in plain Quarkus code (parses the JSON body with
 * Vert.x's Jackson codec, answers {"ok":true,"n":<n>}); with BARE_BODY=fixed it only reads the body and answers fixed
 * JSON. On the event loop, or with BARE_EXECUTION=worker from Quarkus' worker pool (a plain blocking endpoint).
 * GET /health/ready answers UP.
 */
@ApplicationScoped
public class BareRoutes {

    private static final String FIXED = "{\"ok\":true}";
    private static final boolean WORKER = "worker".equals(System.getenv("BARE_EXECUTION"));
    private static final boolean JSON = !"fixed".equals(System.getenv("BARE_BODY"));

    void routes(@Observes Router router) {
        router.post("/").handler(ctx -> {
            Buffer body = Buffer.buffer();
            ctx.request().handler(body::appendBuffer);
            ctx.request().endHandler(v -> {
                if (WORKER) {
                    ctx.vertx().executeBlocking(() -> work(body), false).onComplete(answer -> answer(ctx, answer.result()));
                } else {
                    answer(ctx, work(body));
                }
            });
            ctx.request().resume();
        });
        router.get("/health/ready").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json").end("{\"status\":\"UP\"}"));
    }

    private static Buffer work(Buffer body) {
        if (!JSON) {
            return Buffer.buffer(FIXED);
        }
        try {
            JsonObject event = body.toJsonObject();
            return new JsonObject().put("ok", true).put("n", event.getValue("n")).toBuffer();
        } catch (RuntimeException notJson) {
            return null;
        }
    }

    private static void answer(RoutingContext ctx, Buffer body) {
        if (body == null) {
            ctx.response().setStatusCode(400).end();
            return;
        }
        ctx.response().putHeader("Content-Type", "application/json").end(body);
    }
}
