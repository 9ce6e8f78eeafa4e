package io.knative.lambda.deployer.http;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.knative.pkg.apis.Condition;
import io.fabric8.knative.serving.v1.Service;
import io.knative.lambda.deployer.core.FunctionCluster;
import io.knative.lambda.deployer.local.LocalFunctionCluster;
import io.knative.lambda.events.ErrorResponse;
import io.knative.lambda.service.http.JsonAnswers;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /ksvc} in local mode: what {@code kubectl get ksvc} shows on a cluster — name, URL, image
 * digest, ready (with Knative's reason when not), revision and age — for {@code scripts/klambda get ksvc}.
 * Other methods: 405.
 */
@ApplicationScoped
public class LocalServicesRoute {

    @Inject
    FunctionCluster cluster;

    @Inject
    ObjectMapper mapper;

    void install(@Observes Router router) {
        router.get("/ksvc").order(-100).blockingHandler(this::list, false);
        router.route("/ksvc").order(-99).handler(ctx -> JsonAnswers.methodNotAllowed(ctx, "GET"));
    }

    void list(RoutingContext ctx) {
        if (!(cluster instanceof LocalFunctionCluster local)) {
            answer(ctx, 404, new ErrorResponse("NotLocalMode",
                    "the deployer targets a Knative cluster: use kubectl get ksvc -n <namespace>"));
            return;
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Service s : local.services()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", s.getMetadata().getName());
            String image = s.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
            row.put("url", s.getStatus() == null ? null : s.getStatus().getUrl());
            row.put("image", image);
            row.put("digest", image.contains("@") ? image.substring(image.indexOf('@') + 1) : null);
            Condition ready = s.getStatus() == null || s.getStatus().getConditions() == null ? null
                    : s.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst().orElse(null);
            row.put("ready", ready == null ? "Unknown" : ready.getStatus());
            row.put("reason", ready == null ? null : ready.getReason());
            row.put("revision", s.getStatus() == null ? null : s.getStatus().getLatestReadyRevisionName());
            String created = s.getMetadata().getCreationTimestamp();
            row.put("created", created);
            row.put("age", created == null ? null : age(Duration.between(Instant.parse(created), Instant.now())));
            row.put("functionId", s.getMetadata().getLabels() == null ? null
                    : s.getMetadata().getLabels().get("io.knative.lambda/function-id"));
            rows.add(row);
        }
        answer(ctx, 200, rows);
    }

    private static String age(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return s < 120 ? s + "s" : s < 7200 ? s / 60 + "m" : s / 3600 + "h";
    }

    private void answer(RoutingContext ctx, int status, Object body) {
        try {
            ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(mapper.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            ctx.response().setStatusCode(500).end();
        }
    }
}
