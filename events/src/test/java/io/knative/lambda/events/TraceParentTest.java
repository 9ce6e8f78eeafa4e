package io.knative.lambda.events;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TraceParentTest {

    private static final String GIVEN = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void aValidTraceparentIsReadAndWrittenBackTheSame() {
        TraceParent t = TraceParent.parse(GIVEN).orElseThrow();

        assertThat(t.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(t.spanId()).isEqualTo("00f067aa0ba902b7");
        assertThat(t.header()).isEqualTo(GIVEN);
    }

    @Test
    void malformedOrAllZeroTraceparentsAreIgnoredAsTheW3cRulesSay() {
        assertThat(TraceParent.parse(null)).isEmpty();
        assertThat(TraceParent.parse("garbage")).isEmpty();
        assertThat(TraceParent.parse("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01")).as("uppercase").isEmpty();
        assertThat(TraceParent.parse("00-00000000000000000000000000000000-00f067aa0ba902b7-01")).isEmpty();
        assertThat(TraceParent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01")).isEmpty();
        assertThat(TraceParent.parse("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")).as("version ff").isEmpty();
        assertThat(TraceParent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra")).isEmpty();
        assertThat(TraceParent.parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra")).as("a later version")
                .isPresent();
    }

    @Test
    void aChildKeepsTheTraceAndGetsANewSpan() {
        TraceParent parent = TraceParent.parse(GIVEN).orElseThrow();

        TraceParent child = parent.child();

        assertThat(child.traceId()).isEqualTo(parent.traceId());
        assertThat(child.spanId()).isNotEqualTo(parent.spanId()).matches("[0-9a-f]{16}");
        assertThat(child.flags()).isEqualTo("01");
        assertThat(parent.child("reply-1")).as("derived: the same reply, the same span").isEqualTo(parent.child("reply-1"))
                .isNotEqualTo(parent.child("reply-2"));
    }

    @Test
    void aTraceStartedFromAnEventIdIsTheSameForEachDeliveryOfIt() {
        assertThat(TraceParent.startFrom("s3-record-1")).isEqualTo(TraceParent.startFrom("s3-record-1"));
        assertThat(TraceParent.startFrom("s3-record-1").traceId()).isNotEqualTo(TraceParent.startFrom("s3-record-2").traceId());
        assertThat(TraceParent.start().traceId()).isNotEqualTo(TraceParent.start().traceId());
        assertThat(TraceParent.continueOrStart(GIVEN).traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(TraceParent.continueOrStart("nonsense").header()).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
    }
}
