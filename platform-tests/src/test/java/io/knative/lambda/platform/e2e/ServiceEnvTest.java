package io.knative.lambda.platform.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Local mode's environment files fill in as make run's shell does, and every placeholder is one the tests provide. */
class ServiceEnvTest {

    private static final Path PROJECT = Path.of(System.getProperty("test.project.dir", "..")).toAbsolutePath().normalize();

    @Test
    void everyServicesFileFillsInFromTheVariablesLocalPlatformProvides() {
        Map<String, String> variables = LocalPlatform.variables(PROJECT, Path.of("/run"), 1, 2, 3, 4, 5, 6, 7, "token");

        Map<String, String> cluster = ServiceEnv.of(PROJECT, "local-cluster", variables);
        Map<String, String> deployer = ServiceEnv.of(PROJECT, "deployer", variables);

        assertThat(cluster.get("KLAMBDA_LOCAL_JAVA_RUNTIME")).as("the Java runtime starts with the flags its image uses")
                .contains("@" + PROJECT.resolve("function-runtime/java/jvm.options"));
        assertThat(cluster.get("KLAMBDA_LOCAL_CLUSTER_TOKEN_FILE")).isEqualTo("/run/local-cluster.token");
        assertThat(deployer).containsEntry("QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL", "http://127.0.0.1:7")
                .containsEntry("KUBERNETES_AUTH_TOKEN", "token");
        assertThat(ServiceEnv.of(PROJECT, "builder", variables)).containsEntry("KLAMBDA_BUILD_MAX_CONCURRENT", "8");
        assertThat(ServiceEnv.of(PROJECT, "broker", variables)).containsEntry("QUARKUS_HTTP_PORT", "4");
    }

    @Test
    void aPlaceholderWithNoValueAndNoDefaultIsAnError() {
        Map<String, String> variables = new HashMap<>(LocalPlatform.variables(PROJECT, Path.of("/run"), 1, 2, 3, 4, 5, 6, 7,
                "token"));
        variables.remove("KAFKA_PORT");

        assertThatThrownBy(() -> ServiceEnv.of(PROJECT, "broker", variables)).hasMessageContaining("${KAFKA_PORT} is not set");
    }
}
