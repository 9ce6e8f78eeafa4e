package io.knative.lambda.deployer.http;

import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.deployer.inbound.DeployEventHandler;
import io.knative.lambda.service.EventTracing;
import io.knative.lambda.service.FunqyEvents;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventMapping;

/**
 * The deployer's Knative inbound adapter: every CloudEvent posted to {@code /} (binary or structured)
 * goes to {@link DeployEventHandler}; the reply goes back in the same mode after the bounded wait for
 * Ready, or no event when a duplicate finds the outcome already reported. Refusals and API failures
 * leave as 400 / 503 through service-common's {@code CloudEventErrorHandler}.
 */
public class DeployerFunction {

    @Inject
    DeployEventHandler handler;

    @Inject
    EventTracing tracing;

    @Funq("deploy")
    @CloudEventMapping(trigger = "*")
    public CloudEvent<Object> deploy(CloudEvent<JsonNode> event) {
        return FunqyEvents.reply(tracing.handle(FunqyEvents.inbound(event), handler));
    }
}
