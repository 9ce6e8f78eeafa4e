package io.knative.lambda.builder.jib;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.Test;

import io.knative.lambda.builder.core.BuildException;
import io.knative.lambda.builder.core.RegistryUnavailableException;

/** A push never waits on a registry request past its deadline: it fails as RegistryUnavailable, to be retried. */
class PushDeadlineTest {

    private static final String IMAGE = "127.0.0.1:5000/functions/parser-p-1:0123abcd";

    @Test
    void aRequestThatNeverEndsIsGivenUpAtTheDeadlineAsRegistryUnavailable() {
        CompletableFuture<String> never = new CompletableFuture<>();

        Throwable e = catchThrowable(() -> new PushDeadline(Duration.ofMillis(50), IMAGE).await(never));

        assertThat(e).isInstanceOf(RegistryUnavailableException.class)
                .hasMessage("registry unavailable for " + IMAGE + ": no answer within 0.05s (KLAMBDA_REGISTRY_PUSH_TIMEOUT)");
        assertThat(((BuildException) e).retryable()).isTrue();
    }

    @Test
    void aDeadlineAlreadyPastStillTakesAnAnswerThatIsThere() throws Exception {
        PushDeadline deadline = new PushDeadline(Duration.ofNanos(1), IMAGE);

        assertThat(deadline.await(CompletableFuture.completedFuture("sha256:abc"))).isEqualTo("sha256:abc");
    }

    @Test
    void whatTheRequestThrewComesOutAsItsCauseToBeClassified() {
        IOException refused = new IOException("I/O error", new ConnectException("Connection refused"));

        Throwable e = catchThrowable(() -> new PushDeadline(Duration.ofSeconds(30), IMAGE)
                .await(CompletableFuture.failedFuture(new CompletionException(refused))));

        assertThat(e).isInstanceOf(CompletionException.class).hasCause(refused);
    }
}
