package io.knative.lambda.localbroker;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.knative.lambda.events.EventTypes;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;

/**
 * The local per-function Triggers: the function's Service name {@code {kind}-{id}} (the subject of its invoke events;
 * unique, so another scope's or kind's function that reuses an id never gets its events) to the URL it answers on,
 * learnt from the bus itself
 * ({@code deploy.completed} adds or moves a route, {@code function.deleted} removes it). Read from the
 * start of the topic at every start (a group of its own per start), so the table survives restarts.
 * Every event it sees also goes to the {@link EventLog}.
 */
@ApplicationScoped
public class RouteTable {

    private static final Logger LOG = Logger.getLogger(RouteTable.class);
    private final Map<String, String> routes = new ConcurrentHashMap<>();

    @Inject
    ObjectMapper mapper;

    @Inject
    EventLog log;

    /** The URL of a function by its Service name, if it is deployed. */
    public Optional<String> url(String service) {
        return Optional.ofNullable(routes.get(service));
    }

    /** Every route, for {@code GET /routes}. */
    public Map<String, String> snapshot() {
        return new java.util.TreeMap<>(routes);
    }

    @Incoming("observe")
    public CompletionStage<Void> observe(Message<byte[]> message) {
        IncomingKafkaRecordMetadata<?, ?> kafka = message.getMetadata(IncomingKafkaRecordMetadata.class).orElse(null);
        if (kafka != null) {
            Event event = Event.fromKafka(kafka.getHeaders(), message.getPayload());
            log.add(event);
            learn(event);
        }
        return message.ack();
    }

    void learn(Event event) {
        if (EventTypes.DEPLOY_COMPLETED.equals(event.type()) || EventTypes.FUNCTION_DELETED.equals(event.type())) {
            try {
                JsonNode data = mapper.readTree(event.data());
                String service = data.path("service").asText(null);
                if (service == null) {
                    return;
                }
                if (EventTypes.DEPLOY_COMPLETED.equals(event.type()) && data.hasNonNull("url")) {
                    routes.put(service, data.get("url").asText());
                    LOG.infof("route %s -> %s", service, data.get("url").asText());
                } else if (EventTypes.FUNCTION_DELETED.equals(event.type())) {
                    routes.remove(service);
                    LOG.infof("route %s removed", service);
                }
            } catch (java.io.IOException e) {
                LOG.warnf("event %s (%s) has data that is not JSON; no route learnt", event.id(), event.type());
            }
        }
    }
}
