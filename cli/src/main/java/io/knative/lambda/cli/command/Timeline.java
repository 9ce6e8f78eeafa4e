package io.knative.lambda.cli.command;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.events.EventTypes;

/**
 * One upload's timeline from its events alone: uploaded → build started → built → rollout started → ready → first
 * answer, each step at its time with how long it took since the one before. A build's and a rollout's start are their
 * completion event's time less the duration it reports ({@code durationMs}).
 */
final class Timeline {

    /** A step: when, what, how long since the step before (null for the first), the event it comes from. */
    record Step(Instant at, String what, Long sinceBefore, JsonNode event) {
    }

    private Timeline() {
    }

    /** The steps of {@code traced} (the events of one trace) and the first answer after it, oldest first. */
    static List<Step> of(List<JsonNode> traced, JsonNode firstAnswer) {
        List<Step> steps = new ArrayList<>();
        for (JsonNode event : traced) {
            Instant at = EventView.time(event);
            if (at == null) {
                continue;
            }
            String type = EventView.type(event);
            long took = event.path("data").path("durationMs").asLong(-1);
            if (type.equals(EventTypes.BUILD_COMPLETED) && took >= 0) {
                steps.add(new Step(at.minusMillis(took), "build started", null, event));
            } else if (type.equals(EventTypes.DEPLOY_COMPLETED) && took >= 0) {
                steps.add(new Step(at.minusMillis(took), "rollout started", null, event));
            }
            steps.add(new Step(at, EventView.summary(event), null, event));
        }
        if (firstAnswer != null && EventView.time(firstAnswer) != null) {
            steps.add(new Step(EventView.time(firstAnswer), "first answer: " + EventView.summary(firstAnswer), null, firstAnswer));
        }
        steps.sort(Comparator.comparing(Step::at));
        List<Step> timed = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            timed.add(new Step(s.at(), s.what(), i == 0 ? null : Duration.between(steps.get(i - 1).at(), s.at()).toMillis(),
                    s.event()));
        }
        return timed;
    }
}
