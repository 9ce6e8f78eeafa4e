package io.knative.lambda.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unit tests of the Java runtime's environment parsing, metrics text and JSON log helpers. */
class FunctionConfigTest {

    @Test
    void defaultsMatchTheReadme(@TempDir Path dir) {
        FunctionConfig c = FunctionConfig.from(Map.of("FUNCTION_DIR", dir.toString(), "FUNCTION_CLASS", "a.B"));

        assertThat(c.functionId()).isEqualTo("function");
        assertThat(c.handlerName()).isEqualTo("handler");
        assertThat(c.timeoutMs()).isEqualTo(30000);
        assertThat(c.maxBodyBytes()).isEqualTo(6 * 1024 * 1024);
        assertThat(c.concurrency()).isEqualTo(16);
        assertThat(c.drainMs()).isEqualTo(35000);
        assertThat(c.eventLoop()).isFalse();
        assertThat(c.source()).isEqualTo("/knative-lambda/functions/function");
        assertThat(c.host()).isEqualTo("0.0.0.0");
        assertThat(c.port()).isEqualTo(8080);
        assertThat(c.idleMs()).isEqualTo(600000);
        assertThat(c.maxConnections()).isEqualTo(1024);
    }

    @Test
    void theListeningAddressAndIdleTimeoutComeFromTheEnvironment(@TempDir Path dir) {
        FunctionConfig c = FunctionConfig.from(Map.of("FUNCTION_DIR", dir.toString(), "FUNCTION_CLASS", "a.B",
                "HOST", "127.0.0.1", "PORT", "0", "FUNCTION_IDLE_TIMEOUT_MS", "1500"));

        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isZero();
        assertThat(c.idleMs()).isEqualTo(1500);
        assertThatThrownBy(() -> FunctionConfig.from(Map.of("FUNCTION_DIR", dir.toString(), "FUNCTION_CLASS", "a.B", "PORT", "http")))
                .hasMessageContaining("PORT");
    }

    @Test
    void theSingleTopLevelClassIsFoundWithoutFunctionClass(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("classes/com/acme"));
        Files.write(dir.resolve("classes/com/acme/Invoice.class"), new byte[] {1});
        Files.write(dir.resolve("classes/com/acme/Invoice$Line.class"), new byte[] {1});

        assertThat(FunctionConfig.from(Map.of("FUNCTION_DIR", dir.toString())).className()).isEqualTo("com.acme.Invoice");

        Files.write(dir.resolve("classes/com/acme/Other.class"), new byte[] {1});
        assertThatThrownBy(() -> FunctionConfig.from(Map.of("FUNCTION_DIR", dir.toString())))
                .hasMessageContaining("set FUNCTION_CLASS");
    }

    @Test
    void unusableSettingsAreRefusedWithTheirName(@TempDir Path dir) {
        Map<String, String> base = Map.of("FUNCTION_DIR", dir.toString(), "FUNCTION_CLASS", "a.B");
        assertThatThrownBy(() -> FunctionConfig.from(with(base, "FUNCTION_TIMEOUT_MS", "soon"))).hasMessageContaining("FUNCTION_TIMEOUT_MS");
        assertThatThrownBy(() -> FunctionConfig.from(with(base, "FUNCTION_CONCURRENCY", "0"))).hasMessageContaining("FUNCTION_CONCURRENCY");
        assertThatThrownBy(() -> FunctionConfig.from(with(base, "FUNCTION_EXECUTION", "fast"))).hasMessageContaining("FUNCTION_EXECUTION");
        assertThatThrownBy(() -> FunctionConfig.from(with(base, "FUNCTION_ID", "a\"b"))).hasMessageContaining("FUNCTION_ID");
        assertThatThrownBy(() -> FunctionConfig.from(with(base, "FUNCTION_MAX_CONNECTIONS", "0"))).hasMessageContaining("FUNCTION_MAX_CONNECTIONS");
    }

    @Test
    void metricsRenderCumulativeBucketsAndErrorsByCode() {
        Metrics m = new Metrics("fn-1", () -> 3);
        assertThat(m.record(0.0003, null)).as("the first invocation is the cold one").isTrue();
        assertThat(m.record(0.002, "InvalidJson")).isFalse();
        m.coldStart(0.25);

        String text = m.render();
        assertThat(text).contains("klambda_function_invocations_total{function=\"fn-1\",runtime=\"java\"} 2")
                .contains("klambda_function_errors_total{function=\"fn-1\",runtime=\"java\",code=\"InvalidJson\"} 1")
                .contains("klambda_function_duration_seconds_bucket{function=\"fn-1\",runtime=\"java\",le=\"5.0E-4\"} 1")
                .contains("klambda_function_duration_seconds_bucket{function=\"fn-1\",runtime=\"java\",le=\"0.0025\"} 2")
                .contains("klambda_function_duration_seconds_bucket{function=\"fn-1\",runtime=\"java\",le=\"+Inf\"} 2")
                .contains("klambda_function_cold_start_seconds{function=\"fn-1\",runtime=\"java\"} 0.250000")
                .contains("klambda_function_in_flight{function=\"fn-1\",runtime=\"java\"} 3");
    }

    @Test
    void logStringsAreEscapedAndTimestampsAreRfc3339() {
        StringBuilder b = new StringBuilder();
        JsonLog.appendString(b, "a\"b\\c\nd");
        JsonLog.appendString(b, null);
        assertThat(b.toString()).isEqualTo("\"a\\\"b\\\\c\\u000ad\"null");
        assertThat(JsonLog.timestamp()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
    }

    private static Map<String, String> with(Map<String, String> base, String key, String value) {
        Map<String, String> m = new java.util.HashMap<>(base);
        m.put(key, value);
        return m;
    }
}
