package io.knative.lambda.builder.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.knative.lambda.builder.core.FunctionManifest;
import io.knative.lambda.builder.core.InvalidManifestException;

/** function.yaml is read strictly: every key known, of its type and range, or refused naming the key. */
class ManifestReaderTest {

    private final ManifestReader reader = new ManifestReader();

    private FunctionManifest read(String yaml) throws InvalidManifestException {
        return reader.read(yaml.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theDocumentedCompleteExampleIsRead() throws Exception {
        FunctionManifest m = read("""
                # function.yaml
                runtime: python
                entry:
                  file: app/handler.py
                  function: handle
                environment:
                  API_BASE_URL: https://api.example.com
                  RETRIES: 3
                  VERBOSE: true
                min-scale: 0
                max-scale: 5
                container-concurrency: 10
                timeout-seconds: 30
                cpu: 250m
                memory: 256Mi
                execution: worker
                """);

        assertThat(m.runtime()).isEqualTo("python");
        assertThat(m.entryFile()).isEqualTo("app/handler.py");
        assertThat(m.entryFunction()).isEqualTo("handle");
        assertThat(m.environment()).containsExactlyInAnyOrderEntriesOf(Map.of("API_BASE_URL", "https://api.example.com",
                "RETRIES", "3", "VERBOSE", "true"));
        assertThat(m.settings()).containsExactlyInAnyOrderEntriesOf(Map.of("min-scale", "0", "max-scale", "5",
                "container-concurrency", "10", "timeout-seconds", "30", "cpu", "250m", "memory", "256Mi", "execution", "worker"));
    }

    @Test
    void aJavaManifestCarriesClassMethodAndDependencies() throws Exception {
        FunctionManifest m = read("runtime: java\nentry: {class: com.acme.Parser, method: handle}\n"
                + "dependencies:\n  - com.google.code.gson:gson:2.11.0\n");

        assertThat(m.entryClass()).isEqualTo("com.acme.Parser");
        assertThat(m.entryMethod()).isEqualTo("handle");
        assertThat(m.dependencies()).containsExactly("com.google.code.gson:gson:2.11.0");
    }

    @Test
    void anEmptyFileIsNoManifest() throws Exception {
        assertThat(read("# nothing\n")).isEqualTo(FunctionManifest.none());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "max_scale: 3|max_scale|not a key",
            "entry: {file: main.py, handler: go}|entry.handler|not a key",
            "max-scale: '3'|max-scale|whole number",
            "max-scale: 3.5|max-scale|whole number",
            "max-scale: 0|max-scale|between 1 and 1000",
            "min-scale: -1|min-scale|between 0 and 1000",
            "timeout-seconds: 100000|timeout-seconds|between 1 and 3600",
            "min-scale: 4\\nmax-scale: 2|min-scale|must not exceed max-scale",
            "cpu: lots|cpu|Kubernetes quantity",
            "memory: 0Mi|memory|above 0",
            "execution: threads|execution|worker or event-loop",
            "runtime: ruby|runtime|python, java or node",
            "runtime: 3|runtime|non-empty string",
            "environment: {PORT: '9000'}|environment.PORT|set by the platform",
            "environment: {FUNCTION_HANDLER: x}|environment.FUNCTION_HANDLER|set by the platform",
            "environment: {A-B: x}|environment.A-B|not a variable name",
            "environment: {NESTED: {a: 1}}|environment.NESTED|string, number or boolean",
            "environment: [A]|environment|mapping",
            "runtime: python\\nentry: {class: com.acme.X}|entry.class|for java functions",
            "runtime: java\\nentry: {file: main.py}|entry.file|for python functions",
            "runtime: python\\ndependencies: [requests]|dependencies|requirements.txt",
            "runtime: node\\nentry: {method: handle}|entry.method|node uses entry.file",
            "runtime: node\\ndependencies: [left-pad]|dependencies|package.json",
            "dependencies: [not-a-coordinate]|dependencies[0]|Maven coordinate",
            "entry: {file: ../etc/passwd}|entry.file|inside the archive",
            "entry: {function: 'not a name'}|entry.function|function name",
            "- a list|(file)|mapping",
            "max-scale: 2\\nmax-scale: 3|line|not valid YAML"})
    void aBadKeyIsInvalidManifestNamingTheKey(String yaml, String key, String problem) {
        InvalidManifestException e = catchThrowableOfType(InvalidManifestException.class, () -> read(yaml.replace("\\n", "\n")));

        assertThat(e).as(yaml).isNotNull();
        assertThat(e.reason().code()).isEqualTo("InvalidManifest");
        assertThat(e.key()).startsWith(key);
        assertThat(e).hasMessageStartingWith("function.yaml: " + key).hasMessageContaining(problem);
    }

    @Test
    void aManifestLargerThanTheLimitIsRefused() {
        byte[] big = ("# " + "x".repeat(ManifestReader.MAX_BYTES)).getBytes(StandardCharsets.UTF_8);
        assertThat(catchThrowableOfType(InvalidManifestException.class, () -> reader.read(big))).hasMessageContaining("larger");
    }
}
