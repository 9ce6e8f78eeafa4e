package io.knative.lambda.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventBuilder;

/** The reply as Funqy sends it: CloudEvents 1.0, our id, type, source and subject, the record as data. */
class FunqyEventsTest {

    @Test
    void anInboundEventKeepsTheAttributesTheServicesReadAndTheData() {
        ObjectNode data = JsonNodeFactory.instance.objectNode().put("bucket", "b").put("key", "global/parser/p-1");
        CloudEvent<JsonNode> funqy = CloudEventBuilder.create().specVersion("1.0").id("e-1").source("/me")
                .type("io.knative.lambda.build.requested").subject("global/parser/p-1").build(data);

        assertThat(FunqyEvents.inbound(funqy)).isEqualTo(new InboundEvent("e-1", "/me", "1.0",
                "io.knative.lambda.build.requested", "global/parser/p-1", data));
    }

    @Test
    void theTraceContextTravelsInTheTraceparentExtension() {
        String trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        CloudEvent<JsonNode> funqy = CloudEventBuilder.create().specVersion("1.0").id("e-1").source("/me")
                .type("io.knative.lambda.build.requested").extensions(Map.of("traceparent", trace)).build((JsonNode) null);

        assertThat(FunqyEvents.inbound(funqy).traceparent()).isEqualTo(trace);
        assertThat(FunqyEvents.reply(new ReplyEvent("r-1", "t", "/s", null, Map.of(), trace)).extensions())
                .containsEntry("traceparent", trace);
    }

    @Test
    void noReplyMeansNoEvent() {
        assertThat(FunqyEvents.reply(null)).isNull();
    }

    @Test
    void theReplyCarriesEveryAttributeOfOurs() {
        Map<String, String> data = Map.of("functionId", "p-1");
        CloudEvent<Object> event = FunqyEvents.reply(new ReplyEvent("r-1", "io.knative.lambda.build.completed",
                "/knative-lambda/builder", "p-1", data));

        assertThat(event.specVersion()).isEqualTo("1.0");
        assertThat(event.id()).isEqualTo("r-1");
        assertThat(event.type()).isEqualTo("io.knative.lambda.build.completed");
        assertThat(event.source()).isEqualTo("/knative-lambda/builder");
        assertThat(event.subject()).isEqualTo("p-1");
        assertThat(event.data()).isSameAs(data);
        assertThat(event.time()).isCloseTo(OffsetDateTime.now(ZoneOffset.UTC), within(1, ChronoUnit.MINUTES));
    }

    @Test
    void aReplyWithoutSubjectHasNone() {
        CloudEvent<Object> event = FunqyEvents.reply(new ReplyEvent("r-2", "io.knative.lambda.function.deleted",
                "/knative-lambda/deployer", null, Map.of()));

        assertThat(event.subject()).isNull();
    }
}
