package io.knative.lambda.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.knative.lambda.events.ErrorResponse;

/** What a caller (Knative's delivery, or a person with curl) gets back for each failure. */
class ErrorAnswerTest {

    private static final String STRUCTURED = "application/cloudevents+json; charset=UTF-8";

    @Test
    void aTransientFailureIs503WithItsOwnCodeAndRetryAfter() {
        ErrorAnswer answer = ErrorAnswer.of(new TransientFailureException("RegistryUnavailable",
                "registry unavailable for r/parser-x:abc: connection refused", new IOException("refused")), -1, null);

        assertThat(answer).isEqualTo(new ErrorAnswer(503,
                new ErrorResponse("RegistryUnavailable", "registry unavailable for r/parser-x:abc: connection refused"), true));
        assertThat(ErrorAnswer.RETRY_AFTER_SECONDS).isEqualTo("5");
    }

    @Test
    void aTransientFailureWrappedByTheFrameworkIsStill503() {
        Throwable wrapped = new CompletionException(new IllegalStateException("worker failed",
                new TransientFailureException("ClusterUnavailable", "the Kubernetes API answered 500", null)));

        ErrorAnswer answer = ErrorAnswer.of(wrapped, 500, null);

        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.body()).isEqualTo(new ErrorResponse("ClusterUnavailable", "the Kubernetes API answered 500"));
    }

    @Test
    void aMalformedCloudEventIs400InvalidEventWithTheCheckMessage() {
        ErrorAnswer answer = ErrorAnswer.of(new InvalidEventException("the CloudEvent lacks required attribute(s) id"), -1,
                null);

        assertThat(answer).isEqualTo(new ErrorAnswer(400,
                new ErrorResponse("InvalidEvent", "the CloudEvent lacks required attribute(s) id"), false));
    }

    @Test
    void aTypeTheServiceDoesNotHandleIs400NotA404ThatKnativeWouldRetry() {
        ErrorAnswer answer = ErrorAnswer.of(new UnsupportedEventTypeException("io.knative.lambda.invoke",
                "io.knative.lambda.build.requested, com.amazonaws.s3.ObjectCreated:*"), -1, null);

        assertThat(answer).isEqualTo(new ErrorAnswer(400, new ErrorResponse("UnsupportedEventType",
                "event type 'io.knative.lambda.invoke' is not handled here; this service handles "
                        + "io.knative.lambda.build.requested, com.amazonaws.s3.ObjectCreated:*"), false));
    }

    @Test
    void aBodyThatIsNotJsonIs400InvalidEventNamingTheParserComplaint() {
        JsonProcessingException bad = catchThrowableOfType(JsonProcessingException.class,
                () -> new ObjectMapper().readTree("{\"bucket\": "));

        ErrorAnswer answer = ErrorAnswer.of(new UncheckedIOException(bad), -1, "application/json");

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.body().error()).isEqualTo("InvalidEvent");
        assertThat(answer.body().message()).isEqualTo("the body is not valid JSON: " + bad.getOriginalMessage())
                .doesNotContain("line:").doesNotContain("Source:");
    }

    @Test
    void funqysNullPointerOnAStructuredEventWithoutTypeIs400() {
        ErrorAnswer answer = ErrorAnswer.of(new NullPointerException(), 500, STRUCTURED);

        assertThat(answer).isEqualTo(new ErrorAnswer(400, new ErrorResponse("InvalidEvent",
                "the structured CloudEvent lacks required attribute type or specversion"), false));
    }

    @Test
    void aNullPointerOutsideAStructuredEventIsOurBugA500() {
        ErrorAnswer answer = ErrorAnswer.of(new NullPointerException("this.cluster is null"), 500, "application/json");

        assertThat(answer).isEqualTo(new ErrorAnswer(500,
                new ErrorResponse("InternalError", "unexpected failure; see the service log"), false));
    }

    @Test
    void anUnexpectedFailureNeverShowsItsOwnTextToTheCaller() {
        ErrorAnswer answer = ErrorAnswer.of(new IllegalStateException("password=hunter2 at /secret/path"), 500, null);

        assertThat(answer.status()).isEqualTo(500);
        assertThat(answer.body().error()).isEqualTo("InternalError");
        assertThat(answer.body().message()).isEqualTo("unexpected failure; see the service log");
        assertThat(answer.retryAfter()).isFalse();
    }

    @Test
    void aMediaTypeFunqyCannotReadIs415WithHowToSendACloudEvent() {
        ErrorAnswer answer = ErrorAnswer.of(null, 406, "text/plain");

        assertThat(answer).isEqualTo(new ErrorAnswer(415, new ErrorResponse("UnsupportedMediaType",
                "send a CloudEvent: binary mode (ce-* headers, JSON body) or structured mode"
                        + " (Content-Type: application/cloudevents+json)"), false));
    }

    @ParameterizedTest(name = "router status {0} -> {1}")
    @CsvSource({
            "413, PayloadTooLarge, the request body is too large",
            "404, NotFound,        the request was refused (404)",
            "405, BadRequest,      the request was refused (405)",
            "400, BadRequest,      the request was refused (400)" })
    void aStatusTheRouterChoseKeepsItsStatusWithAJsonBody(int status, String code, String message) {
        assertThat(ErrorAnswer.of(null, status, null))
                .isEqualTo(new ErrorAnswer(status, new ErrorResponse(code, message), false));
    }

    @Test
    void aFailureWithoutAnyStatusIs500() {
        assertThat(ErrorAnswer.of(null, -1, null).status()).isEqualTo(500);
    }

    @Test
    void aCauseChainThatPointsAtItselfEnds() {
        RuntimeException loop = new RuntimeException("loop") {
            @Override
            public synchronized Throwable getCause() {
                return this;
            }
        };

        assertThat(ErrorAnswer.of(loop, 500, null).status()).isEqualTo(500);
    }
}
