package io.knative.lambda.deployer.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.knative.lambda.events.DeployFailed;
import io.knative.lambda.service.InboundEvent;
import io.knative.lambda.service.ReplyEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** What the deployer answers, once, on Kafka for an event of its types that can never be processed. */
class DeployEventHandlerTest {

    private final DeployEventHandler handler = new DeployEventHandler();

    DeployEventHandlerTest() {
        handler.metrics = new DeployMetrics();
        handler.metrics.registry = new SimpleMeterRegistry();
        handler.mapper = new ObjectMapper();
    }

    private static InboundEvent event(String type) {
        return new InboundEvent("e-1", "/test", "1.0", type, "my-parser", null);
    }

    @Test
    void anUnprocessableBuildCompletedIsDeployFailedInvalidEventWithTheSameIdOnEveryDelivery() {
        ReplyEvent first = handler.refused(event("io.knative.lambda.build.completed"), "the event's data is not valid JSON: x");
        ReplyEvent again = handler.refused(event("io.knative.lambda.build.completed"), "the event's data is not valid JSON: x");

        assertThat(first.type()).isEqualTo("io.knative.lambda.deploy.failed");
        assertThat(first.subject()).isEqualTo("my-parser");
        assertThat(first.data()).isEqualTo(new DeployFailed("my-parser", "InvalidEvent", "the event's data is not valid JSON: x",
                false));
        assertThat(again.id()).isEqualTo(first.id());
        assertThat(handler.metrics.registry.get("klambda.deploys").tag("outcome", "failed").counter().count()).isEqualTo(2);
    }

    @Test
    void anEventOfAnotherServicesTypeIsNotTheDeployersToAnswer() {
        assertThat(handler.refused(event("io.knative.lambda.build.requested"), "whatever")).isNull();
    }
}
