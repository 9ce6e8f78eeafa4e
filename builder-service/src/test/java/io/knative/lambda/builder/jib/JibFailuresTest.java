package io.knative.lambda.builder.jib;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.net.UnknownHostException;
import java.util.concurrent.ExecutionException;

import javax.net.ssl.SSLException;

import org.apache.http.conn.ConnectTimeoutException;
import org.apache.http.conn.ConnectionPoolTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.google.cloud.tools.jib.api.InsecureRegistryException;
import com.google.cloud.tools.jib.api.RegistryAuthenticationFailedException;
import com.google.cloud.tools.jib.api.RegistryException;

import io.knative.lambda.builder.core.BaseImageNotFoundException;
import io.knative.lambda.builder.core.BuildException;
import io.knative.lambda.builder.core.RegistryUnauthorizedException;
import io.knative.lambda.builder.core.RegistryUnavailableException;

/**
 * Which of Jib's failures a user sees as which reason. The chains are shaped like those Jib throws against
 * Debian's docker-registry ({@code JibImagePublisherIT} produces the first two for real).
 */
class JibFailuresTest {

    private static final String TARGET = "127.0.0.1:5000/functions/parser-p-1:0123abcd";
    private static final String BASE = "127.0.0.1:5000/runtimes/python:1.0";

    /** Jib runs its steps on an executor: what it throws arrives wrapped. */
    private static ExecutionException fromJib(Throwable cause) {
        return new ExecutionException(cause);
    }

    private static RegistryException manifestUnknown(String image) {
        return new RegistryException("Tried to pull image manifest for " + image + " but failed because: manifest unknown",
                new IOException("404 Not Found"));
    }

    @Test
    void aPlainHttpRegistryThatWantsCredentialsIsRegistryUnauthorizedAndNotRetried() throws Exception {
        // Jib's own exception for a 401/403 over HTTP, where it never sends credentials (its constructor is not public)
        var constructor = com.google.cloud.tools.jib.registry.RegistryCredentialsNotSentException.class
                .getDeclaredConstructor(String.class, String.class);
        constructor.setAccessible(true);
        RegistryException notSent = constructor.newInstance("127.0.0.1:5000", "functions/parser-p-1");

        BuildException e = JibFailures.classify(TARGET, BASE, fromJib(notSent));

        assertThat(e).isInstanceOf(RegistryUnauthorizedException.class).hasCause(notSent)
                .hasMessageContaining("wants credentials for " + TARGET).hasMessageContaining("plain HTTP")
                .hasMessageContaining("HTTPS");
        assertThat(e.reason().code()).isEqualTo("RegistryUnauthorized");
        assertThat(e.retryable()).isFalse();
    }

    @Test
    void refusedCredentialsAreRegistryUnauthorizedAndNotRetried() {
        var refused = new com.google.cloud.tools.jib.api.RegistryUnauthorizedException("127.0.0.1:5000",
                "functions/parser-p-1", null);

        BuildException e = JibFailures.classify(TARGET, BASE, fromJib(refused));

        assertThat(e).isInstanceOf(RegistryUnauthorizedException.class)
                .hasMessage("the registry refused the credentials for " + TARGET
                        + " (KLAMBDA_REGISTRY_USERNAME / KLAMBDA_REGISTRY_PASSWORD)")
                .hasCause(refused);
        assertThat(e.reason().code()).isEqualTo("RegistryUnauthorized");
        assertThat(e.retryable()).isFalse();
    }

    @Test
    void aFailedTokenExchangeIsRegistryUnauthorizedToo() {
        BuildException e = JibFailures.classify(TARGET, "scratch", fromJib(new RegistryAuthenticationFailedException(
                "https://127.0.0.1:5000/token", "functions/parser-p-1", "401 Unauthorized")));

        assertThat(e.reason().code()).isEqualTo("RegistryUnauthorized");
    }

    @Test
    void refusedCredentialsWinOverAMissingBaseImageInTheSameChain() {
        var refused = new com.google.cloud.tools.jib.api.RegistryUnauthorizedException("127.0.0.1:5000",
                "runtimes/python", null);
        RegistryException pull = new RegistryException("Tried to pull image manifest for " + BASE
                + " but failed because: manifest unknown", refused);

        assertThat(JibFailures.classify(TARGET, BASE, fromJib(pull)).reason().code()).isEqualTo("RegistryUnauthorized");
    }

    @Test
    void aManifestUnknownOfTheBaseImageIsBaseImageNotFoundNamingIt() {
        BuildException e = JibFailures.classify(TARGET, BASE, fromJib(manifestUnknown(BASE)));

        assertThat(e).isInstanceOf(BaseImageNotFoundException.class)
                .hasMessage("base image " + BASE + " not found (KLAMBDA_RUNTIME_<LANG>_BASE_IMAGE; push it with"
                        + " `make runtime-images`)");
        assertThat(((BaseImageNotFoundException) e).baseImage()).isEqualTo(BASE);
        assertThat(e.retryable()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "MANIFEST_UNKNOWN",
            "NAME_UNKNOWN",
            "repository name not known to registry" })
    void theRegistrysOtherWordsForAMissingImageCountToo(String words) {
        RegistryException missing = new RegistryException("Tried to pull image manifest for " + BASE
                + " but failed because: " + words);

        assertThat(JibFailures.classify(TARGET, BASE, fromJib(missing)).reason().code()).isEqualTo("BaseImageNotFound");
    }

    @Test
    void aBaseImageByDigestIsRecognisedByItsRepository() {
        String byDigest = "127.0.0.1:5000/runtimes/python@sha256:" + "a".repeat(64);
        RegistryException missing = manifestUnknown("127.0.0.1:5000/runtimes/python:latest");

        assertThat(JibFailures.classify(TARGET, byDigest, fromJib(missing))).isInstanceOf(BaseImageNotFoundException.class);
    }

    @Test
    void aManifestUnknownOfAnotherRepositoryIsNotTheBaseImagesFault() {
        BuildException e = JibFailures.classify(TARGET, BASE,
                fromJib(manifestUnknown("127.0.0.1:5000/functions/parser-p-1:0123abcd")));

        assertThat(e).isInstanceOf(RegistryUnavailableException.class)
                .hasMessage("registry unavailable for " + TARGET + ": IOException: 404 Not Found");
        assertThat(e.retryable()).isTrue();
    }

    @Test
    void withAScratchBaseNothingIsABaseImageNotFound() {
        assertThat(JibFailures.classify(TARGET, "scratch", fromJib(manifestUnknown("scratch"))).reason().code())
                .isEqualTo("RegistryUnavailable");
    }

    @Test
    void aPlainHttpRegistryWithoutInsecureSaysWhichSettingToChange() throws Exception {
        InsecureRegistryException insecure = new InsecureRegistryException(new URL("https://127.0.0.1:5000/v2/"),
                new SSLException("Unsupported or unrecognized SSL message"));

        BuildException e = JibFailures.classify(TARGET, "scratch", fromJib(insecure));

        assertThat(e).isInstanceOf(RegistryUnavailableException.class).hasMessage("registry unavailable for " + TARGET
                + ": the registry does not speak HTTPS; set KLAMBDA_REGISTRY_INSECURE=true for a registry on plain HTTP");
    }

    @Test
    void networkFailuresAreNamedInWordsAndRetried() {
        assertThat(JibFailures.classify(TARGET, BASE, fromJib(new IOException("I/O error",
                new ConnectException("Connection refused")))))
                .hasMessage("registry unavailable for " + TARGET + ": connection refused")
                .satisfies(e -> assertThat(e.retryable()).isTrue());
        assertThat(JibFailures.classify(TARGET, BASE, fromJib(new NoRouteToHostException("No route to host"))))
                .hasMessageEndingWith(": connection refused");
        assertThat(JibFailures.classify(TARGET, BASE, fromJib(new UnknownHostException("registry.invalid"))))
                .hasMessageEndingWith(": unknown host");
        assertThat(JibFailures.classify(TARGET, BASE, fromJib(new SocketTimeoutException("Read timed out"))))
                .hasMessageEndingWith(": timed out");
    }

    @Test
    void noFreeConnectionToTheRegistryInTimeIsUnavailableAndRetried() {
        BuildException e = JibFailures.classify(TARGET, BASE,
                new ConnectionPoolTimeoutException("Timeout waiting for connection from pool"));

        assertThat(e).isInstanceOf(RegistryUnavailableException.class)
                .hasMessage("registry unavailable for " + TARGET + ": timed out waiting for a free connection to the registry");
        assertThat(e.retryable()).isTrue();
        assertThat(JibFailures.classify(TARGET, BASE, fromJib(new ConnectTimeoutException("Connect to 127.0.0.1:5000 timed out"))))
                .hasMessageEndingWith(": timed out");
    }

    @Test
    void anyOtherFailureIsUnavailableWithItsRootCause() {
        BuildException e = JibFailures.classify(TARGET, BASE, fromJib(new RegistryException("upload failed",
                new IOException("500 Internal Server Error"))));

        assertThat(e).isInstanceOf(RegistryUnavailableException.class)
                .hasMessage("registry unavailable for " + TARGET + ": IOException: 500 Internal Server Error");
        assertThat(e.reason().code()).isEqualTo("RegistryUnavailable");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "127.0.0.1:5000/runtimes/python,                 127.0.0.1:5000/runtimes/python",
            "127.0.0.1:5000/runtimes/python:1.0,             127.0.0.1:5000/runtimes/python",
            "registry.example.com/r/python@sha256:abc,       registry.example.com/r/python",
            "registry.example.com/r/python:1@sha256:abc,     registry.example.com/r/python",
            "python,                                         python" })
    void theRepositoryOfAnImageKeepsTheRegistryPortAndDropsTagAndDigest(String image, String repository) {
        assertThat(JibFailures.repositoryOf(image)).isEqualTo(repository);
    }
}
