package io.knative.lambda.builder.jib;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.knative.lambda.builder.core.BaseImageNotFoundException;
import io.knative.lambda.builder.core.BuildException;
import io.knative.lambda.builder.core.ImageSpec;
import io.knative.lambda.builder.core.RegistryUnavailableException;
import io.knative.lambda.testsupport.LocalProcess;
import io.knative.lambda.testsupport.RegistryServer;

/** Jib's real failures against a real registry end in the reason a user is told (see {@link JibFailures}). */
class JibImagePublisherIT {

    private static RegistryServer registry;
    private static ExecutorService executor;
    private static Path cache;

    @BeforeAll
    static void start() throws Exception {
        registry = RegistryServer.start();
        executor = Executors.newFixedThreadPool(4);
        cache = Files.createTempDirectory("klambda-jib-it-");
    }

    @AfterAll
    static void stop() {
        executor.shutdownNow();
        registry.close();
    }

    private static JibImagePublisher publisher(boolean insecure) {
        return new JibImagePublisher(new RegistryOptions(insecure, Optional.empty(), Optional.empty()), cache, executor);
    }

    private static ImageSpec spec(String registryHost, String baseImage) {
        return new ImageSpec(registryHost + "/functions/parser-jib-it", "abc123", baseImage,
                Map.of("/function/parser.py", "def handler(e):\n    return e\n".getBytes(StandardCharsets.UTF_8)),
                Map.of("FUNCTION_FILE", "parser.py"), Map.of());
    }

    @Test
    void aBaseImageTheRegistryDoesNotHoldIsBaseImageNotFoundNotRetried() {
        String base = registry.host() + "/runtimes/python:missing";

        BuildException e = catchThrowableOfType(BaseImageNotFoundException.class,
                () -> publisher(true).publish(spec(registry.host(), base)));

        assertThat(e.reason().code()).isEqualTo("BaseImageNotFound");
        assertThat(e.retryable()).isFalse();
        assertThat(e).hasMessage("base image " + base
                + " not found (KLAMBDA_RUNTIME_<LANG>_BASE_IMAGE; push it with `make runtime-images`)");
    }

    @Test
    void aRegistryNobodyListensOnIsUnavailableConnectionRefusedAndRetried() {
        String nowhere = "127.0.0.1:" + LocalProcess.freePort();

        BuildException e = catchThrowableOfType(RegistryUnavailableException.class,
                () -> publisher(true).publish(spec(nowhere, "scratch")));

        assertThat(e.reason().code()).isEqualTo("RegistryUnavailable");
        assertThat(e.retryable()).isTrue();
        assertThat(e).hasMessage("registry unavailable for " + nowhere + "/functions/parser-jib-it:abc123: connection refused");
    }
}
