package io.knative.lambda.service;

import java.util.Optional;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.knative.lambda.events.TraceParent;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

/**
 * Keeps one upload's events in one trace (the CloudEvents distributed-tracing extension, {@code traceparent}): a
 * service handles each event as a child span of the event's trace (a new trace, derived from the event id, when it
 * carries none) and its reply carries that span. With an OTLP endpoint configured ({@link OtelSwitch}) the span is an
 * OpenTelemetry span, exported; without one, nothing but the reply's {@code traceparent} is made (no SDK, no span).
 */
@ApplicationScoped
public class EventTracing {

    @Inject
    Instance<Tracer> tracers; // none in a build without the OpenTelemetry extension (-Dno-otel)

    @ConfigProperty(name = "quarkus.otel.sdk.disabled", defaultValue = "true")
    boolean disabled;

    private Tracer tracer;

    @PostConstruct
    void tracer() {
        disabled = disabled || !tracers.isResolvable();
        tracer = disabled ? null : tracers.get();
    }

    /** Handles {@code event} in its trace; the reply (if any) carries the handling span as its {@code traceparent}. */
    public ReplyEvent handle(InboundEvent event, EventHandler handler) {
        TraceParent parent = parentOf(event);
        if (disabled) {
            ReplyEvent reply = handler.handle(event);
            return reply == null ? null : reply.traced(parent.child(reply.id()).header());
        }
        Span span = tracer.spanBuilder("handle " + event.type()).setSpanKind(SpanKind.CONSUMER)
                .setParent(Context.root().with(Span.wrap(SpanContext.createFromRemoteParent(parent.traceId(), parent.spanId(),
                        TraceFlags.fromHex(parent.flags(), 0), TraceState.getDefault()))))
                .setAttribute("cloudevents.event_id", event.id())
                .setAttribute("cloudevents.event_type", event.type())
                .setAttribute("cloudevents.event_source", String.valueOf(event.source()))
                .setAttribute("cloudevents.event_subject", String.valueOf(event.subject()))
                .startSpan();
        try (Scope ignored = span.makeCurrent()) {
            ReplyEvent reply = handler.handle(event);
            if (reply == null) {
                return null;
            }
            span.setAttribute("knative_lambda.reply_type", reply.type());
            return reply.traced(of(span.getSpanContext()).orElseGet(() -> parent.child(reply.id())).header());
        } catch (RuntimeException e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            throw e;
        } finally {
            span.end();
        }
    }

    /** {@code reply} (a refusal made without a span; may be {@code null}) as a child of {@code event}'s trace. */
    public ReplyEvent inTrace(InboundEvent event, ReplyEvent reply) {
        return reply == null || reply.traceparent() != null ? reply : reply.traced(parentOf(event).child(reply.id()).header());
    }

    private static TraceParent parentOf(InboundEvent event) {
        return TraceParent.parse(event.traceparent()).orElseGet(() -> TraceParent.startFrom(event.source() + "\n" + event.id()));
    }

    /**
     * The trace context of a new event that a request starts (the S3 webhook): the request's server span when spans are
     * exported, else a child of the request's {@code traceparent} header, else a new trace derived from {@code eventId}.
     */
    public TraceParent start(String requestTraceparent, String eventId) {
        if (!disabled) {
            Optional<TraceParent> current = of(Span.current().getSpanContext());
            if (current.isPresent()) {
                return current.get();
            }
        }
        return TraceParent.parse(requestTraceparent).map(t -> t.child(eventId))
                .orElseGet(() -> TraceParent.startFrom(eventId));
    }

    private static Optional<TraceParent> of(SpanContext context) {
        if (!context.isValid()) {
            return Optional.empty();
        }
        return Optional.of(new TraceParent(context.getTraceId(), context.getSpanId(), context.getTraceFlags().asHex()));
    }
}
