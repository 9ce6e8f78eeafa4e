package io.knative.lambda.builder.jib;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.apache.http.client.config.RequestConfig;
import org.junit.jupiter.api.Test;

/** Every registry request waits a bounded time, whatever Jib asked for; a timeout that bounds nothing is refused. */
class RegistryTimeoutsTest {

    private static final RegistryTimeouts FIVE_SECONDS = new RegistryTimeouts(Duration.ofSeconds(5), Duration.ofMinutes(2));

    @Test
    void jibsZeroMeaningForeverIsReplacedForThePoolWaitTheConnectAndEachRead() {
        RequestConfig jib = RequestConfig.custom().setConnectTimeout(0).setSocketTimeout(0).setRedirectsEnabled(false)
                .setNormalizeUri(false).build();

        RequestConfig bounded = FIVE_SECONDS.bound(jib);

        assertThat(bounded.getConnectionRequestTimeout()).isEqualTo(5000);
        assertThat(bounded.getConnectTimeout()).isEqualTo(5000);
        assertThat(bounded.getSocketTimeout()).isEqualTo(5000);
        assertThat(bounded.isRedirectsEnabled()).as("Jib's other settings kept").isFalse();
        assertThat(bounded.isNormalizeUri()).isFalse();
    }

    @Test
    void jibsOwnTwentySecondsGiveWayToTheConfiguredTimeout() {
        RequestConfig jib = RequestConfig.custom().setConnectTimeout(20_000).setSocketTimeout(20_000).build();

        RequestConfig bounded = FIVE_SECONDS.bound(jib);

        assertThat(bounded.getConnectTimeout()).isEqualTo(5000);
        assertThat(bounded.getSocketTimeout()).isEqualTo(5000);
    }

    @Test
    void aRequestWithoutSettingsOfItsOwnIsBoundedToo() {
        // Apache's own default: every wait unbounded (-1)
        assertThat(RequestConfig.DEFAULT.getConnectionRequestTimeout()).isEqualTo(-1);

        RequestConfig bounded = FIVE_SECONDS.bound(null);

        assertThat(bounded.getConnectionRequestTimeout()).isEqualTo(5000);
        assertThat(bounded.getConnectTimeout()).isEqualTo(5000);
        assertThat(bounded.getSocketTimeout()).isEqualTo(5000);
    }

    @Test
    void aTimeoutOfZeroOrLessOrTooLongIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> new RegistryTimeouts(Duration.ZERO, Duration.ofMinutes(5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("klambda.registry-timeout must be at least 1 ms, was PT0S");
        assertThatThrownBy(() -> new RegistryTimeouts(Duration.ofSeconds(20), Duration.ofSeconds(-1)))
                .hasMessage("klambda.registry-push-timeout must be at least 1 ms, was PT-1S");
        assertThatThrownBy(() -> new RegistryTimeouts(Duration.ofDays(30), Duration.ofMinutes(5)))
                .hasMessageStartingWith("klambda.registry-timeout must be at most 2147483647 ms");
    }

    @Test
    void aDurationIsShownAsItIsConfigured() {
        assertThat(RegistryTimeouts.text(Duration.ofMinutes(5))).isEqualTo("5m");
        assertThat(RegistryTimeouts.text(Duration.ofSeconds(20))).isEqualTo("20s");
        assertThat(RegistryTimeouts.text(Duration.ofMillis(1500))).isEqualTo("1.5s");
    }
}
