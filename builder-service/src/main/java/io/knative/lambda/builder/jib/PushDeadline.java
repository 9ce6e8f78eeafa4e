package io.knative.lambda.builder.jib;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.knative.lambda.builder.core.BuildException;
import io.knative.lambda.builder.core.RegistryUnavailableException;

/**
 * The end of one attempt at pushing {@code reference} ({@link RegistryTimeouts#push} from its start): a registry
 * request the attempt still waits for then is given up as {@code RegistryUnavailable}, never waited for longer.
 */
final class PushDeadline {

    private final Duration limit;
    private final long end;
    private final String reference;

    PushDeadline(Duration limit, String reference) {
        this.limit = limit;
        this.end = System.nanoTime() + limit.toNanos();
        this.reference = reference;
    }

    /** The value of {@code future}; what its task threw comes out as a {@link CompletionException} holding it. */
    <T> T await(CompletableFuture<T> future) throws BuildException {
        try {
            return future.get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new CompletionException(e.getCause());
        } catch (TimeoutException e) {
            throw new RegistryUnavailableException(reference, "no answer within " + RegistryTimeouts.text(limit)
                    + " (KLAMBDA_REGISTRY_PUSH_TIMEOUT)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryUnavailableException(reference, "interrupted", e);
        }
    }
}
