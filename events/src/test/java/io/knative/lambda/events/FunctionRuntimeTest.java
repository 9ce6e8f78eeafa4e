package io.knative.lambda.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FunctionRuntimeTest {

    @ParameterizedTest(name = "ext={0} metadata={1} -> {2}")
    @CsvSource(nullValues = "-", value = {
            "py,   -,      PYTHON",
            "PY,   -,      PYTHON",
            "java, -,      JAVA",
            "js,   -,      NODE",
            "mjs,  -,      NODE",
            "cjs,  python, NODE",
            "-,    node,   NODE",
            "py,   java,   PYTHON",
            "-,    java,   JAVA",
            "-,    Python, PYTHON",
            "-,    -,      PYTHON",
            "-,    ' ',    PYTHON" })
    void extensionThenMetadataThenPython(String extension, String metadata, FunctionRuntime expected) throws Exception {
        assertThat(FunctionRuntime.select(extension, metadata)).isEqualTo(expected);
    }

    @Test
    void unknownExtensionIsUnsupportedAndListsWhatIs() {
        assertThatThrownBy(() -> FunctionRuntime.select("rb", null))
                .isInstanceOf(UnsupportedRuntimeException.class)
                .hasMessageContaining(".rb")
                .hasMessageContaining("python (.py)")
                .hasMessageContaining("node (.js, .mjs, .cjs)");
    }

    @Test
    void unknownMetadataRuntimeIsUnsupported() {
        assertThatThrownBy(() -> FunctionRuntime.select(null, "node18"))
                .isInstanceOf(UnsupportedRuntimeException.class)
                .hasMessageContaining("node18");
    }
}
