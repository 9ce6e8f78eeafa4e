package io.knative.lambda.deployer.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Per-function settings from S3 metadata: defaults, overrides, and a refusal that names the key and the rule. */
class SettingsResolverTest {

    private final DeployerSettings settings = DeployerSettings.defaults("knative-lambda", "knative-lambda");
    private final SettingsResolver resolver = new SettingsResolver(settings.defaults(), settings.limits());

    @Test
    void noSettingsGiveThePlatformDefaults() throws Exception {
        FunctionSettings fn = resolver.resolve(Map.of());

        assertThat(fn.minScale()).isZero();
        assertThat(fn.maxScale()).isEqualTo(10);
        assertThat(fn.containerConcurrency()).isEqualTo(10);
        assertThat(fn.handler()).isNull();
        assertThat(fn.execution()).as("the runtime's own default").isNull();
    }

    @Test
    void theExecutionModeIsOneOfTheRuntimesModes() throws Exception {
        assertThat(resolver.resolve(Map.of("execution", " Event-Loop ")).execution()).isEqualTo("event-loop");
        assertThat(resolver.resolve(Map.of("execution", "worker")).execution()).isEqualTo("worker");
    }

    @Test
    void unknownKeysAreIgnoredAndKnownOnesApplied() throws Exception {
        FunctionSettings fn = resolver.resolve(Map.of("min-scale", " 2 ", "max-scale", "5", "owner", "team-a"));

        assertThat(fn.minScale()).isEqualTo(2);
        assertThat(fn.maxScale()).isEqualTo(5);
    }

    @Test
    void aCpuRequestAboveTheDefaultLimitRaisesTheLimit() throws Exception {
        assertThat(resolver.resolve(Map.of("cpu", "2")).cpuLimit()).isEqualTo("2");
    }

    @ParameterizedTest(name = "{0}={1} is refused")
    @CsvSource(delimiter = '|', value = {
            "min-scale|-1|between 0 and 100",
            "max-scale|0|between 1 and 100",
            "max-scale|101|between 1 and 100",
            "max-scale|ten|whole number",
            "container-concurrency|1001|between 0 and 1000",
            "timeout-seconds|0|between 1 and 600",
            "timeout-seconds|601|between 1 and 600",
            "cpu|lots|Kubernetes quantity",
            "cpu|0|above 0",
            "cpu|8|at most 4",
            "memory|1Zi|Kubernetes quantity",
            "memory|64Gi|at most 4Gi",
            "handler|rm -rf|identifier",
            "execution|threads|worker or event-loop"})
    void outOfBoundsOrMalformedSettingsAreRefusedNamingKeyAndRule(String key, String value, String rule) {
        assertThatThrownBy(() -> resolver.resolve(Map.of(key, value)))
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining(key).hasMessageContaining(rule)
                .satisfies(e -> assertThat(((InvalidSettingsException) e).key()).isEqualTo(key));
    }

    @Test
    void minScaleAboveMaxScaleIsRefused() {
        assertThatThrownBy(() -> resolver.resolve(Map.of("min-scale", "5", "max-scale", "3")))
                .isInstanceOf(InvalidSettingsException.class).hasMessageContaining("must not exceed max-scale");
    }
}
