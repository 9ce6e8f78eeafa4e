package io.knative.lambda.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/** Reply ids: a redelivered request must get the same reply id, so that consumers can drop the duplicate. */
class ReplyEventTest {

    private static final String COMPLETED = "io.knative.lambda.build.completed";

    private static InboundEvent request(String source, String id) {
        return new InboundEvent(id, source, "1.0", "io.knative.lambda.build.requested", null,
                JsonNodeFactory.instance.objectNode().put("key", "global/parser/p-" + id));
    }

    @Test
    void aRedeliveryOfTheSameRequestGetsTheSameReplyId() {
        InboundEvent first = request("/me", "req-1");
        InboundEvent redelivered = new InboundEvent("req-1", "/me", "1.0", "io.knative.lambda.build.requested", "x",
                JsonNodeFactory.instance.objectNode().put("key", "other"));

        assertThat(ReplyEvent.idFor(redelivered, COMPLETED)).isEqualTo(ReplyEvent.idFor(first, COMPLETED));
    }

    @Test
    void theIdIsAStableNameBasedUuidOfSourceIdAndReplyType() {
        String id = ReplyEvent.idFor(request("/me", "req-1"), COMPLETED);

        assertThat(UUID.fromString(id).version()).isEqualTo(3);
        assertThat(id).isEqualTo(UUID.nameUUIDFromBytes(("/me\nreq-1\n" + COMPLETED).getBytes()).toString());
    }

    @Test
    void anotherRequestIdSourceOrReplyTypeGivesAnotherReplyId() {
        String base = ReplyEvent.idFor(request("/me", "req-1"), COMPLETED);

        assertThat(ReplyEvent.idFor(request("/me", "req-2"), COMPLETED)).isNotEqualTo(base);
        assertThat(ReplyEvent.idFor(request("/you", "req-1"), COMPLETED)).isNotEqualTo(base);
        assertThat(ReplyEvent.idFor(request("/me", "req-1"), "io.knative.lambda.build.failed")).isNotEqualTo(base);
    }
}
