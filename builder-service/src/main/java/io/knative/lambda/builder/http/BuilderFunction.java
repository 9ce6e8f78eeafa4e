package io.knative.lambda.builder.http;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.builder.inbound.BuildEventHandler;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventBuilder;
import io.quarkus.funqy.knative.events.CloudEventMapping;

/**
 * The builder's Knative inbound adapter: every CloudEvent posted to {@code /} (binary or structured)
 * lands here and goes to {@link BuildEventHandler}; the reply goes back in the same mode. Refusals and
 * transient failures leave as 400 / 503 through {@link CloudEventErrorHandler}.
 */
public class BuilderFunction {

    @Inject
    BuildEventHandler handler;

    @Funq("build")
    @CloudEventMapping(trigger = "*")
    public CloudEvent<Object> build(CloudEvent<JsonNode> event) {
        BuildEventHandler.Reply reply = handler.handle(
                new BuildEventHandler.Inbound(event.id(), event.source(), event.specVersion(), event.type(), event.data()));
        CloudEventBuilder builder = CloudEventBuilder.create()
                .specVersion("1.0")
                .id(reply.id())
                .type(reply.type())
                .source(reply.source())
                .time(OffsetDateTime.now(ZoneOffset.UTC));
        if (reply.subject() != null) {
            builder.subject(reply.subject());
        }
        return builder.build(reply.data());
    }
}
