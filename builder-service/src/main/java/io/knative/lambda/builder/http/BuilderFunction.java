package io.knative.lambda.builder.http;

import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.builder.inbound.BuildEventHandler;
import io.knative.lambda.service.EventTracing;
import io.knative.lambda.service.FunqyEvents;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventMapping;

/**
 * The builder's Knative inbound adapter: every CloudEvent posted to {@code /} (binary or structured)
 * lands here and goes to {@link BuildEventHandler}; the reply goes back in the same mode. Refusals and
 * transient failures leave as 400 / 503 through service-common's {@code CloudEventErrorHandler}.
 */
public class BuilderFunction {

    @Inject
    BuildEventHandler handler;

    @Inject
    EventTracing tracing;

    @Funq("build")
    @CloudEventMapping(trigger = "*")
    public CloudEvent<Object> build(CloudEvent<JsonNode> event) {
        return FunqyEvents.reply(tracing.handle(FunqyEvents.inbound(event), handler));
    }
}
