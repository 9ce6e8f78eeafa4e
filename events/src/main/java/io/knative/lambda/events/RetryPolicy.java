package io.knative.lambda.events;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * How long and how often the platform retries an event whose handling failed transiently (a dependency
 * down): capped exponential backoff ({@link #firstBackoff()} doubled per attempt up to {@link #maxBackoff()})
 * until the event is {@link #maxEventAge()} old, then the dead-letter topic. The Kafka path (local mode) applies
 * it as it is; Knative's delivery specs in {@code eventing/} have no cap, so their retry count is chosen to span
 * at least the same age ({@link #knativeExponentialSpan}; {@code InstallManifestsTest} checks both agree).
 *
 * @param firstBackoff delay before the second attempt
 * @param maxBackoff   the largest delay between two attempts
 * @param maxEventAge  how long after its first attempt an event is still retried
 */
public record RetryPolicy(Duration firstBackoff, Duration maxBackoff, Duration maxEventAge) {

    /** Default of {@code klambda.kafka.backoff}: the first retry after one second. */
    public static final String DEFAULT_BACKOFF = "1s";
    /** Default of {@code klambda.kafka.max-backoff}: never more than five minutes between attempts. */
    public static final String DEFAULT_MAX_BACKOFF = "5m";
    /** Default of {@code klambda.kafka.max-event-age}: an hour of retries, longer than a realistic outage. */
    public static final String DEFAULT_MAX_EVENT_AGE = "1h";
    /** The defaults above. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofHours(1));

    public RetryPolicy {
        Objects.requireNonNull(firstBackoff, "firstBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(maxEventAge, "maxEventAge");
        if (firstBackoff.isNegative() || firstBackoff.isZero() || maxBackoff.compareTo(firstBackoff) < 0
                || maxEventAge.isNegative()) {
            throw new IllegalArgumentException("a retry policy needs 0 < first backoff <= max backoff and a max event age"
                    + " >= 0, not " + firstBackoff + ", " + maxBackoff + ", " + maxEventAge);
        }
    }

    /** The delay after the {@code attempts}-th failed attempt (1-based): first backoff doubled, capped. */
    public Duration backoff(int attempts) {
        Duration delay = firstBackoff;
        for (int i = 1; i < attempts && delay.compareTo(maxBackoff) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(maxBackoff) > 0 ? maxBackoff : delay;
    }

    /**
     * When to try again after {@code attempts} failed attempts of an event first tried at {@code firstAttempt}, or
     * empty when that would be past the maximum event age (dead-letter it).
     */
    public Optional<Instant> nextAttempt(int attempts, Instant firstAttempt, Instant now) {
        Instant next = now.plus(backoff(attempts));
        return next.isAfter(firstAttempt.plus(maxEventAge)) ? Optional.empty() : Optional.of(next);
    }

    /**
     * The shortest time Knative's exponential delivery ({@code backoffPolicy: exponential}) spends waiting over
     * {@code retry} retries of {@code backoffDelay}. Knative documents the n-th retry's delay as
     * {@code backoffDelay * 2^n}; counted from {@code 2^0} instead (the smaller reading), the waits are
     * {@code backoffDelay * (2^retry - 1)} in all, the bound used here.
     */
    public static Duration knativeExponentialSpan(int retry, Duration backoffDelay) {
        return backoffDelay.multipliedBy((1L << retry) - 1);
    }
}
