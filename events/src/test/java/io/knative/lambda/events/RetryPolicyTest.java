package io.knative.lambda.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The retry arithmetic every transport shares: capped doubling, and giving up at the maximum event age. */
class RetryPolicyTest {

    @Test
    void theDelayDoublesFromOneSecondAndStopsGrowingAtFiveMinutes() {
        RetryPolicy policy = RetryPolicy.DEFAULT;

        assertThat(policy.backoff(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.backoff(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.backoff(9)).isEqualTo(Duration.ofSeconds(256));
        assertThat(policy.backoff(10)).isEqualTo(Duration.ofMinutes(5));
        assertThat(policy.backoff(1000)).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void anEventIsRetriedForAnHourThenGivenUp() {
        RetryPolicy policy = RetryPolicy.DEFAULT;
        Instant first = Instant.parse("2026-01-01T00:00:00Z");
        Instant now = first;
        List<Instant> attempts = new ArrayList<>(List.of(first));
        for (int failed = 1;; failed++) {
            Optional<Instant> next = policy.nextAttempt(failed, first, now);
            if (next.isEmpty()) {
                break;
            }
            now = next.get();
            attempts.add(now);
        }

        assertThat(Duration.between(first, attempts.get(attempts.size() - 1)))
                .isLessThanOrEqualTo(Duration.ofHours(1)).isGreaterThan(Duration.ofMinutes(55));
        // 1+2+...+256 s (511 s) in the first 10 attempts, then one every 5 minutes until the hour is up
        assertThat(attempts).hasSize(20);
    }

    @Test
    void knativesExponentialSpanIsCountedFromTheSmallerReadingOfItsFormula() {
        assertThat(RetryPolicy.knativeExponentialSpan(5, Duration.ofSeconds(2))).isEqualTo(Duration.ofSeconds(62));
        assertThat(RetryPolicy.knativeExponentialSpan(11, Duration.ofSeconds(2))).isEqualTo(Duration.ofSeconds(4094));
    }

    @Test
    void aPolicyWithoutAPositiveFirstBackoffOrWithACapBelowItIsRefused() {
        assertThatThrownBy(() -> new RetryPolicy(Duration.ZERO, Duration.ofSeconds(1), Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void buildCompletedCarriesTheETagAndReadsEventsWithoutIt() throws Exception {
        ObjectMapper json = new ObjectMapper();
        BuildCompleted withTag = new BuildCompleted("f", "parser", "global", "python", "r/x@sha256:1", "sha256:1", "sha256:2",
                "b", "global/parser/f", 5, java.util.Map.of(), java.util.Map.of(), java.util.List.of(), "abc");

        assertThat(json.readValue(json.writeValueAsString(withTag), BuildCompleted.class)).isEqualTo(withTag);
        assertThat(json.readValue("{\"functionId\":\"f\",\"key\":\"global/parser/f\"}", BuildCompleted.class).eTag()).isNull();
        assertThat(BuildCompleted.normalizeETag("\"d41d8cd98f00b204e9800998ecf8427e\"")).isEqualTo(
                "d41d8cd98f00b204e9800998ecf8427e");
        assertThat(BuildCompleted.normalizeETag("\"\"")).isNull();
    }
}
