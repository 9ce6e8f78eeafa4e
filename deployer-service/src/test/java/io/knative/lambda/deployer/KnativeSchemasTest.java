package io.knative.lambda.deployer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.knative.lambda.testsupport.KnativeSchemas;

/** Where the upstream CRDs come from, and what a missing folder says. */
class KnativeSchemasTest {

    @Test
    void theConfiguredSharedFolderHoldsTheCrds() {
        assertThat(KnativeSchemas.folder().resolve("knative-serving/service.yaml")).isRegularFile();
    }

    @Test
    void aMissingFolderFailsWithAPlainMessageSayingHowToProvideTheCrds(@TempDir Path empty) {
        assertThatThrownBy(() -> KnativeSchemas.folder(empty.toString(), false))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("*-crds.yaml").hasMessageContaining("-Dklambda.shared.dir=");
    }

    @Test
    void aMissingFolderUnderCiFailsNamingTheCiRequirement(@TempDir Path empty) {
        assertThatThrownBy(() -> KnativeSchemas.folder(empty.toString(), true))
                .isInstanceOf(AssertionError.class).hasMessageContaining("CI=true");
    }
}
