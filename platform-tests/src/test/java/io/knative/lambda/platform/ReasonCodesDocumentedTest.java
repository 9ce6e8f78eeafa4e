package io.knative.lambda.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.knative.lambda.events.FailureReason;

/** Every reason code a user can receive is explained in the builder's or the deployer's README. */
class ReasonCodesDocumentedTest {

    @Test
    void everyFailureReasonHasARowInAServicesReasonTable() {
        String tables = RepositoryText.read(RepositoryText.root().resolve("builder-service/README.md"))
                + RepositoryText.read(RepositoryText.root().resolve("deployer-service/README.md"));

        List<String> undocumented = Arrays.stream(FailureReason.values()).map(FailureReason::code)
                .filter(code -> !tables.contains("`" + code + "`")).toList();

        assertThat(undocumented).as("FailureReason codes that neither builder-service/README.md nor"
                + " deployer-service/README.md explains: %s", undocumented).isEmpty();
    }
}
