package io.knative.lambda.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A function's own variables never override what the platform sets, and stay shell-safe and bounded. */
class FunctionEnvironmentTest {

    @ParameterizedTest
    @ValueSource(strings = {"FUNCTION_HANDLER", "function_dir", "K_SERVICE", "KLAMBDA_REGISTRY", "PORT", "HOST"})
    void namesThePlatformSetsAreRefused(String name) {
        assertThat(FunctionEnvironment.problem(name, "x")).get().asString().contains("set by the platform");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1ABC", "A-B", "A B", "A=B"})
    void namesThatAreNotVariablesAreRefused(String name) {
        assertThat(FunctionEnvironment.problem(name, "x")).get().asString().contains("not a variable name");
    }

    @Test
    void ordinaryVariablesPassAndOversizedOnesDoNot() {
        assertThat(FunctionEnvironment.problem(Map.of("API_BASE_URL", "https://api.example.com", "_DEBUG", "1"))).isEmpty();
        assertThat(FunctionEnvironment.problem("LONG", "x".repeat(4097))).get().asString().contains("4096");
        Map<String, String> many = new HashMap<>();
        for (int i = 0; i <= FunctionEnvironment.MAX_VARIABLES; i++) {
            many.put("V" + i, "x");
        }
        assertThat(FunctionEnvironment.problem(many)).get().asString().contains("more than 64");
    }
}
