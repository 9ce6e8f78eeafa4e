package io.knative.lambda.builder.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.knative.lambda.events.Fixtures;
import io.knative.lambda.events.TraceParent;
import io.knative.lambda.testsupport.RecordingSink;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** One upload, one trace, over HTTP: the webhook starts or continues it, a reply continues its request's. */
@QuarkusTest
@WithTestResource(BuilderServers.class)
class TraceContextIT {

    private static final String CALLER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @BeforeEach
    void resetSink() {
        BuilderServers.sink.clear();
        BuilderServers.sink.answer(202);
    }

    private static TraceParent trace(String header) {
        return TraceParent.parse(header).orElseThrow(() -> new AssertionError("no well-formed traceparent: " + header));
    }

    @Test
    void eachNotifiedUploadStartsItsOwnTraceOrContinuesTheOneTheS3ServerSent() {
        BuilderServers.webhook().contentType("application/json").body(Fixtures.read(Fixtures.TWO_RECORDS)).post("/s3/notifications")
                .then().statusCode(200);
        BuilderServers.webhook().contentType("application/json").header("traceparent", CALLER).body(Fixtures.read(Fixtures.AWS_PUT))
                .post("/s3/notifications").then().statusCode(200);

        List<RecordingSink.Received> received = BuilderServers.sink.received();
        assertThat(received).hasSize(3);
        TraceParent first = trace(received.get(0).header("ce-traceparent"));
        TraceParent second = trace(received.get(1).header("ce-traceparent"));
        TraceParent continued = trace(received.get(2).header("ce-traceparent"));
        assertThat(first.traceId()).as("two uploads, two traces").isNotEqualTo(second.traceId());
        assertThat(continued.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(continued.spanId()).isNotEqualTo("00f067aa0ba902b7");
    }

    private static Response buildRequested(String id, String traceparent, boolean structured) {
        if (structured) {
            String event = "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"/test\",\"type\":"
                    + "\"io.knative.lambda.build.requested\",\"traceparent\":\"" + traceparent + "\",\"data\":{}}";
            return given().contentType("application/cloudevents+json").body(event).post("/");
        }
        return given().header("ce-specversion", "1.0").header("ce-id", id).header("ce-source", "/test")
                .header("ce-type", "io.knative.lambda.build.requested").header("ce-traceparent", traceparent)
                .contentType("application/json").body("{}").post("/");
    }

    @Test
    void theReplyContinuesTheRequestsTraceInBothModes() {
        Response binary = buildRequested("trace-1", CALLER, false);
        Response structured = buildRequested("trace-2", CALLER, true);

        assertThat(binary.statusCode()).isEqualTo(200);
        assertThat(binary.header("ce-type")).isEqualTo("io.knative.lambda.build.failed");
        TraceParent reply = trace(binary.header("ce-traceparent"));
        assertThat(reply.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(reply.spanId()).isNotEqualTo("00f067aa0ba902b7");
        assertThat(trace(structured.jsonPath().getString("traceparent")).traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(buildRequested("trace-1", CALLER, false).header("ce-traceparent")).as("a redelivery's reply is the same")
                .isEqualTo(binary.header("ce-traceparent"));
    }
}
