package io.knative.lambda.deployer.http;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.deployer.inbound.DeployEventHandler;
import io.quarkus.funqy.Funq;
import io.quarkus.funqy.knative.events.CloudEvent;
import io.quarkus.funqy.knative.events.CloudEventBuilder;
import io.quarkus.funqy.knative.events.CloudEventMapping;

/**
 * The deployer's Knative inbound adapter: every CloudEvent posted to {@code /} (binary or structured)
 * goes to {@link DeployEventHandler}; the reply goes back in the same mode after the bounded wait for
 * Ready, or no event (204) when a duplicate finds the outcome already reported. Refusals and API
 * failures leave as 400 / 503 through {@link CloudEventErrorHandler}.
 */
public class DeployerFunction {

    @Inject
    DeployEventHandler handler;

    @Funq("deploy")
    @CloudEventMapping(trigger = "*")
    public CloudEvent<Object> deploy(CloudEvent<JsonNode> event) {
        DeployEventHandler.Reply reply = handler.handle(new DeployEventHandler.Inbound(event.id(), event.source(),
                event.specVersion(), event.type(), event.subject(), event.data()));
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
        return builder.build(reply.data());
    }
}
