package io.knative.lambda.service;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The CloudEvents 1.0 attributes every service insists on, and the messages a sender sees. */
class CloudEventChecksTest {

    private static InboundEvent event(String id, String source, String specVersion, String type) {
        return new InboundEvent(id, source, specVersion, type, null, null);
    }

    @Test
    void aCompleteCloudEventPasses() {
        assertThatCode(() -> CloudEventChecks.requireAttributes(
                event("e-1", "/me", "1.0", "io.knative.lambda.build.requested"))).doesNotThrowAnyException();
    }

    @Test
    void everyMissingAttributeIsNamedInCatalogueOrder() {
        assertThatThrownBy(() -> CloudEventChecks.requireAttributes(event(null, null, null, null)))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("the CloudEvent lacks required attribute(s) id, source, specversion, type");
    }

    @Test
    void aBlankAttributeCountsAsMissing() {
        assertThatThrownBy(() -> CloudEventChecks.requireAttributes(event("e-1", "  ", "1.0", "")))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("the CloudEvent lacks required attribute(s) source, type");
    }

    @Test
    void anotherSpecVersionIsRefusedNamingIt() {
        assertThatThrownBy(() -> CloudEventChecks.requireAttributes(event("e-1", "/me", "0.3", "t")))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("CloudEvents specversion '0.3' is not supported; send 1.0");
    }

    @Test
    void missingAttributesAreReportedBeforeTheSpecVersion() {
        assertThatThrownBy(() -> CloudEventChecks.requireAttributes(event(null, "/me", "0.3", "t")))
                .hasMessage("the CloudEvent lacks required attribute(s) id");
    }
}
