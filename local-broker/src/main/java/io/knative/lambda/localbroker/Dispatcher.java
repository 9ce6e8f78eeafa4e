package io.knative.lambda.localbroker;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.knative.lambda.events.ErrorResponse;
import io.knative.lambda.events.EventTypes;
import io.knative.lambda.events.TraceParent;
import io.knative.lambda.service.http.HeaderValues;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;

/**
 * Delivers {@code io.knative.lambda.invoke} events to the function named by their subject, as the
 * per-function Trigger does on a cluster: binary mode (attribute headers percent-encoded), retries with
 * exponential backoff on 404, 408, 409, 429 and 5xx and network failures, the function's response event
 * published on the bus. Any other 4xx is final after one attempt: the function's error is published as
 * {@code io.knative.lambda.response.error} with its status in {@code knativeerrorcode}; what keeps failing
 * is also sent to the dead-letter topic. Offsets are committed after the outcome is on the bus.
 */
@ApplicationScoped
public class Dispatcher {

    private static final Logger LOG = Logger.getLogger(Dispatcher.class);
    /** The extension attribute with the function's HTTP status on a {@code response.error} (Knative's name). */
    static final String ERROR_CODE = "knativeerrorcode";
    /** The largest event data (with attributes) on the bus, ingress and function answers alike: Kafka takes 1 MiB a record. */
    static final int MAX_EVENT_BYTES = 1_000_000;

    @Inject
    RouteTable routes;

    @Inject
    Bus bus;

    @Inject
    BrokerConfig config;

    @Inject
    ObjectMapper mapper;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .proxy(new LocalhostProxy()).build();

    @Incoming("invokes")
    @Blocking(ordered = false)
    public CompletionStage<Void> dispatch(Message<byte[]> message) {
        IncomingKafkaRecordMetadata<?, ?> kafka = message.getMetadata(IncomingKafkaRecordMetadata.class).orElse(null);
        if (kafka == null) {
            return message.ack();
        }
        Event event = Event.fromKafka(kafka.getHeaders(), message.getPayload());
        if (!EventTypes.INVOKE.equals(event.type())) {
            return message.ack();
        }
        Outcome outcome = deliver(event);
        CompletionStage<Void> published = bus.publish(outcome.reply());
        if (outcome.deadLetter()) {
            return published.thenCompose(x -> message.nack(new IllegalStateException(outcome.why())));
        }
        return published.thenCompose(x -> message.ack());
    }

    /** The response to publish, and whether the invoke event also goes to the dead-letter topic. */
    record Outcome(Event reply, boolean deadLetter, String why) {
    }

    private Outcome deliver(Event event) {
        String functionId = event.subject();
        Duration backoff = config.dispatch().backoff();
        String last = "no attempt";
        int lastStatus = 0;
        for (int attempt = 1; attempt <= config.dispatch().maxAttempts(); attempt++) {
            if (attempt > 1) {
                sleep(backoff);
                backoff = backoff.multipliedBy(2);
            }
            Optional<String> url = functionId == null ? Optional.empty() : routes.url(functionId);
            if (url.isEmpty()) {
                last = "no function '" + functionId + "' is deployed";
                continue;
            }
            try {
                HttpResponse<InputStream> response = http.send(request(url.get(), event), HttpResponse.BodyHandlers.ofInputStream());
                int status = response.statusCode();
                byte[] body;
                try (InputStream in = response.body()) {
                    body = in.readNBytes(MAX_EVENT_BYTES + 1);
                }
                if ((status / 100 == 2 || !retryable(status)) && body.length > MAX_EVENT_BYTES) {
                    return new Outcome(errorEvent(event, "ResponseTooLarge", "the function answered " + status + " with more than "
                            + MAX_EVENT_BYTES + " bytes, more than the bus takes", status), false, null);
                }
                if (status / 100 == 2) {
                    return new Outcome(responseEvent(event, response, body, EventTypes.RESPONSE_SUCCESS), false, null);
                }
                if (!retryable(status)) {
                    return new Outcome(responseEvent(event, response, body, EventTypes.RESPONSE_ERROR), false, null);
                }
                last = "HTTP " + status + " from " + url.get();
                lastStatus = status;
            } catch (java.net.ConnectException e) {
                // nothing listens on the function's loopback port: its process exited (the local cluster restarts it
                // with a backoff and shows the Service Ready=False meanwhile). Answered now rather than after every
                // retry against a refused port; the invoke goes to the dead-letter topic, for make redrive.
                String why = "function '" + functionId + "' does not answer at " + url.get() + " (its process is down:"
                        + " restarting or stopped; see scripts/klambda get ksvc)";
                LOG.warnf("invoke %s: %s", event.id(), why);
                return new Outcome(errorEvent(event, "FunctionUnavailable", why, 0), true, why);
            } catch (IOException e) {
                last = e.getClass().getSimpleName() + " calling " + url.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                last = "interrupted";
                break;
            }
            LOG.infof("invoke %s of %s: attempt %d failed (%s)", event.id(), functionId, attempt, last);
        }
        String code = last.startsWith("no function") ? "FunctionNotFound" : "DeliveryFailed";
        LOG.warnf("invoke %s of %s failed after %d attempts: %s", event.id(), functionId, config.dispatch().maxAttempts(), last);
        return new Outcome(errorEvent(event, code, last, lastStatus), true, last);
    }

    private HttpRequest request(String url, Event event) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(LocalhostProxy.withPath(url))
                .timeout(config.dispatch().timeout())
                .POST(HttpRequest.BodyPublishers.ofByteArray(event.data()));
        event.attributes().forEach((k, v) -> builder.header("ce-" + k, HeaderValues.encode(v)));
        builder.header("Content-Type", event.contentType() == null ? "application/json" : event.contentType());
        return builder.build();
    }

    /**
     * The function's reply as an event: its own CloudEvent when it sent one, else its body wrapped. A reply
     * with an error status carries it in {@code knativeerrorcode}, as Knative's dead letters do.
     */
    private Event responseEvent(Event invoke, HttpResponse<?> response, byte[] body, String fallbackType) {
        Map<String, String> attributes = new LinkedHashMap<>();
        response.headers().map().forEach((name, values) -> {
            String lower = name.toLowerCase(java.util.Locale.ROOT);
            if (lower.startsWith("ce-") && lower.length() > 3 && !values.isEmpty()) {
                attributes.put(lower.substring(3), decoded(values.get(0)));
            }
        });
        if (response.statusCode() / 100 != 2) {
            attributes.put(ERROR_CODE, String.valueOf(response.statusCode()));
        }
        String contentType = response.headers().firstValue("Content-Type").orElse("application/json");
        if (attributes.containsKey("type")) {
            inheritTrace(invoke, attributes);
            return new Event(attributes, contentType, body);
        }
        attributes.put("specversion", "1.0");
        attributes.put("id", UUID.nameUUIDFromBytes(("response\n" + invoke.id()).getBytes(StandardCharsets.UTF_8)).toString());
        attributes.put("type", fallbackType);
        attributes.put("source", EventTypes.functionSource(invoke.subject()));
        attributes.put("subject", invoke.subject());
        attributes.put("time", Instant.now().toString());
        inheritTrace(invoke, attributes);
        return new Event(attributes, contentType, body);
    }

    private Event errorEvent(Event invoke, String code, String message, int lastStatus) {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("specversion", "1.0");
        attributes.put("id", UUID.nameUUIDFromBytes(("error\n" + invoke.id()).getBytes(StandardCharsets.UTF_8)).toString());
        attributes.put("type", EventTypes.RESPONSE_ERROR);
        attributes.put("source", "/knative-lambda/local-broker");
        if (invoke.subject() != null) {
            attributes.put("subject", invoke.subject());
        }
        attributes.put("time", Instant.now().toString());
        attributes.put("knativelambdainvokeid", invoke.id());
        inheritTrace(invoke, attributes);
        if (lastStatus > 0) {
            attributes.put(ERROR_CODE, String.valueOf(lastStatus));
        }
        try {
            return new Event(attributes, "application/json", mapper.writeValueAsBytes(new ErrorResponse(code, message)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The response event stays in the invocation's trace: a function that answered in its own CloudEvent without a
     * {@code traceparent}, a body the broker wraps, and an error the broker reports get the invoke event's.
     */
    private static void inheritTrace(Event invoke, Map<String, String> attributes) {
        String trace = invoke.attributes().get(TraceParent.ATTRIBUTE);
        if (trace != null && !attributes.containsKey(TraceParent.ATTRIBUTE)) {
            attributes.put(TraceParent.ATTRIBUTE, trace);
        }
    }

    /** A header value as the function sent it, percent-decoded when it is valid percent-encoding. */
    private static String decoded(String header) {
        try {
            return HeaderValues.decode(header);
        } catch (IllegalArgumentException e) {
            return header;
        }
    }

    /** The statuses Knative's dispatcher retries: 404, 408, 409, 429 and 5xx; every other 4xx is final. */
    static boolean retryable(int status) {
        return status >= 500 || status == 404 || status == 408 || status == 409 || status == 429;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
