package io.knative.lambda.localcluster.process;

import java.time.Duration;

/**
 * How long a crashed function waits before it is started again, as Kubernetes backs off a restarting container:
 * {@code first} after the first exit, doubled after each further one, at most {@code max}; a process that ran longer
 * than {@code max} starts the count again. Knative's (Kubernetes') values are 10 s and 5 min
 * ({@code KLAMBDA_LOCAL_RESTART_BACKOFF}, {@code KLAMBDA_LOCAL_RESTART_MAX_BACKOFF}).
 */
public record RestartBackoff(Duration first, Duration max) {

    /** 10 s doubling to 5 min. */
    public static final RestartBackoff KNATIVE = new RestartBackoff(Duration.ofSeconds(10), Duration.ofMinutes(5));

    public RestartBackoff {
        if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
            throw new IllegalArgumentException("a restart backoff needs 0 < first <= max, not " + first + ", " + max);
        }
    }

    /** The wait after the {@code crashes}-th consecutive exit (1-based). */
    public Duration after(int crashes) {
        Duration wait = first;
        for (int i = 1; i < crashes && wait.compareTo(max) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(max) > 0 ? max : wait;
    }
}
