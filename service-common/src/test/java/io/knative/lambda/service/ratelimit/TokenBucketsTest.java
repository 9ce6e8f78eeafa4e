package io.knative.lambda.service.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class TokenBucketsTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private void advance(long millis) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    @Test
    void aClientMaySendItsBurstAtOnceAndIsThenToldWhenToRetry() {
        TokenBuckets buckets = new TokenBuckets(2, 5, 100, now::get);

        for (int i = 0; i < 5; i++) {
            assertThat(buckets.tryAcquire("10.0.0.1").allowed()).as("request " + i).isTrue();
        }
        TokenBuckets.Decision refused = buckets.tryAcquire("10.0.0.1");

        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfterSeconds()).isEqualTo(1);
    }

    @Test
    void tokensComeBackAtTheConfiguredRateAndNeverAboveTheBurst() {
        TokenBuckets buckets = new TokenBuckets(2, 3, 100, now::get);
        for (int i = 0; i < 3; i++) {
            buckets.tryAcquire("a");
        }
        assertThat(buckets.tryAcquire("a").allowed()).isFalse();

        advance(499);
        assertThat(buckets.tryAcquire("a").allowed()).as("half a second gives one token at 2/s, not before").isFalse();
        advance(1);
        assertThat(buckets.tryAcquire("a").allowed()).isTrue();

        advance(60_000);
        int allowed = 0;
        while (buckets.tryAcquire("a").allowed()) {
            allowed++;
        }
        assertThat(allowed).as("a minute idle refills up to the burst only").isEqualTo(3);
    }

    @Test
    void eachClientHasItsOwnBucket() {
        TokenBuckets buckets = new TokenBuckets(1, 1, 100, now::get);

        assertThat(buckets.tryAcquire("a").allowed()).isTrue();
        assertThat(buckets.tryAcquire("a").allowed()).isFalse();
        assertThat(buckets.tryAcquire("b").allowed()).as("another client is not slowed by the first").isTrue();
    }

    @Test
    void aSlowRateAsksForALongerWait() {
        TokenBuckets buckets = new TokenBuckets(0.1, 1, 100, now::get);
        buckets.tryAcquire("a");

        assertThat(buckets.tryAcquire("a").retryAfterSeconds()).isEqualTo(10);
        advance(4_000);
        assertThat(buckets.tryAcquire("a").retryAfterSeconds()).isEqualTo(6);
    }

    @Test
    void theNumberOfTrackedClientsIsBoundedForgettingTheLeastRecentlySeen() {
        TokenBuckets buckets = new TokenBuckets(1, 1, 3, now::get);
        buckets.tryAcquire("a");
        buckets.tryAcquire("b");
        buckets.tryAcquire("c");
        buckets.tryAcquire("a");
        buckets.tryAcquire("d");

        assertThat(buckets.clients()).isEqualTo(3);
        assertThat(buckets.tryAcquire("a").allowed()).as("a was seen recently: still limited").isFalse();
        assertThat(buckets.tryAcquire("b").allowed()).as("b was forgotten: a full bucket again").isTrue();
    }

    @Test
    void aNonsensicalLimitIsRefused() {
        assertThatThrownBy(() -> new TokenBuckets(0, 1, 1, now::get)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TokenBuckets(1, 0, 1, now::get)).isInstanceOf(IllegalArgumentException.class);
    }
}
