package io.knative.lambda.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import io.knative.lambda.events.TraceParent;

/** One upload, one trace: a reply continues its request's trace, deterministically when no spans are exported. */
class EventTracingTest {

    private static final String TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private final EventTracing tracing = new EventTracing();
    private final EventHandler replying = new EventHandler() {
        @Override
        public boolean handles(String type) {
            return true;
        }

        @Override
        public ReplyEvent handle(InboundEvent event) {
            return new ReplyEvent("reply-of-" + event.id(), "io.knative.lambda.build.completed", "/knative-lambda/builder",
                    "p-1", Map.of());
        }
    };

    {
        tracing.disabled = true;
    }

    private static InboundEvent event(String id, String traceparent) {
        return new InboundEvent(id, "/s3", "1.0", "com.amazonaws.s3.ObjectCreated:Put", "global/parser/p-1", null, traceparent);
    }

    @Test
    void aReplyIsAChildSpanOfItsRequestsTrace() {
        TraceParent reply = TraceParent.parse(tracing.handle(event("e-1", TRACE), replying).traceparent()).orElseThrow();

        assertThat(reply.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(reply.spanId()).isNotEqualTo("00f067aa0ba902b7");
        assertThat(tracing.handle(event("e-1", TRACE), replying).traceparent()).as("a redelivery's reply is the same")
                .isEqualTo(reply.header());
    }

    @Test
    void anEventWithoutTraceStartsOneDerivedFromItsId() {
        String first = tracing.handle(event("e-2", null), replying).traceparent();

        assertThat(first).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
        assertThat(tracing.handle(event("e-2", "not a traceparent"), replying).traceparent()).isEqualTo(first);
        assertThat(TraceParent.parse(tracing.handle(event("e-3", null), replying).traceparent()).orElseThrow().traceId())
                .isNotEqualTo(TraceParent.parse(first).orElseThrow().traceId());
    }

    @Test
    void aWebhookEventContinuesTheRequestsTraceOrStartsOne() {
        assertThat(tracing.start(TRACE, "s3-1").traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(tracing.start(null, "s3-1")).isEqualTo(TraceParent.startFrom("s3-1"));
    }

    @Test
    void theSdkIsOffUnlessAnOtlpEndpointIsConfigured() {
        assertThat(new OtelSwitch(Map.of(), new Properties()).getValue(OtelSwitch.DISABLED)).isEqualTo("true");
        OtelSwitch standard = new OtelSwitch(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"), new Properties());
        assertThat(standard.getValue(OtelSwitch.DISABLED)).isEqualTo("false");
        assertThat(standard.getValue(OtelSwitch.ENDPOINT)).isEqualTo("http://collector:4317");
        assertThat(new OtelSwitch(Map.of("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"), new Properties())
                .getValue(OtelSwitch.DISABLED)).isEqualTo("false");
        Properties system = new Properties();
        system.put("quarkus.otel.exporter.otlp.endpoint", "http://c:4318");
        assertThat(new OtelSwitch(Map.of(), system).getValue(OtelSwitch.DISABLED)).isEqualTo("false");
        assertThat(new OtelSwitch(Map.of(), new Properties()).getOrdinal()).as("below application.properties").isLessThan(250);
    }
}
