package io.knative.lambda.service;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.events.TraceParent;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventBuilder;

/** Between Funqy's CloudEvent type and the services' {@link InboundEvent} / {@link ReplyEvent}, trace context included. */
public final class FunqyEvents {

    private FunqyEvents() {
    }

    public static InboundEvent inbound(CloudEvent<JsonNode> event) {
        Map<String, String> extensions = event.extensions();
        return new InboundEvent(event.id(), event.source(), event.specVersion(), event.type(), event.subject(), event.data(),
                extensions == null ? null : extensions.get(TraceParent.ATTRIBUTE));
    }

    /** The reply in Funqy's type (sent in the request's mode), or {@code null} for no event. */
    public static CloudEvent<Object> reply(ReplyEvent reply) {
        if (reply == null) {
            return null;
        }
        CloudEventBuilder builder = CloudEventBuilder.create()
                .specVersion("1.0")
                .id(reply.id())
                .type(reply.type())
                .source(reply.source())
                .time(OffsetDateTime.now(ZoneOffset.UTC));
        if (reply.subject() != null) {
            builder.subject(reply.subject());
        }
        if (reply.traceparent() != null) {
            builder.extensions(Map.of(TraceParent.ATTRIBUTE, reply.traceparent()));
        }
        return builder.build(reply.data());
    }
}
