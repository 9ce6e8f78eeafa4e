package io.knative.lambda.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.cli.Json;

/** An upload's timeline from its events: each step in order with the time since the one before. */
class TimelineTest {

    private static JsonNode event(String type, String time, String data) {
        return Json.parse("{\"id\":\"" + type + "\",\"type\":\"" + type + "\",\"subject\":\"p-1\",\"time\":\"" + time
                + "\",\"data\":" + data + "}", "test");
    }

    @Test
    void buildAndRolloutStartAtTheirCompletionLessTheirDuration() {
        List<JsonNode> events = List.of(
                event("com.amazonaws.s3.ObjectCreated:Put", "2026-01-01T10:00:00.000Z", "{}"),
                event("io.knative.lambda.build.completed", "2026-01-01T10:00:02.500Z",
                        "{\"image\":\"r/p@sha256:1\",\"durationMs\":2000}"),
                event("io.knative.lambda.deploy.completed", "2026-01-01T10:00:04.000Z",
                        "{\"url\":\"http://parser-p-1.local.localhost:8088\",\"revision\":\"parser-p-1-00001\",\"durationMs\":1000}"));
        JsonNode answer = event("io.knative.lambda.response.success", "2026-01-01T10:00:04.250Z", "{\"ok\":true}");

        List<Timeline.Step> steps = Timeline.of(events, answer);

        assertThat(steps).extracting(Timeline.Step::what).satisfiesExactly(
                w -> assertThat(w).startsWith("uploaded"),
                w -> assertThat(w).isEqualTo("build started"),
                w -> assertThat(w).startsWith("built r/p@sha256:1 in 2.0 s"),
                w -> assertThat(w).isEqualTo("rollout started"),
                w -> assertThat(w).startsWith("ready at http://parser-p-1.local.localhost:8088"),
                w -> assertThat(w).startsWith("first answer"));
        assertThat(steps).extracting(Timeline.Step::sinceBefore).containsExactly(null, 500L, 2000L, 500L, 1000L, 250L);
    }
}
