package io.knative.lambda.service.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

class BearerTokenTest {

    @Test
    void onlyTheExactTokenAfterTheBearerSchemeMatches() {
        assertThat(BearerToken.matches("Bearer s3cret-token", "s3cret-token")).isTrue();
        assertThat(BearerToken.matches("bearer s3cret-token", "s3cret-token")).as("the scheme is case-insensitive").isTrue();
        assertThat(BearerToken.matches("Bearer s3cret-tokeN", "s3cret-token")).isFalse();
        assertThat(BearerToken.matches("Bearer s3cret-token-and-more", "s3cret-token")).isFalse();
        assertThat(BearerToken.matches("Bearer s3cret", "s3cret-token")).isFalse();
        assertThat(BearerToken.matches("Basic s3cret-token", "s3cret-token")).isFalse();
        assertThat(BearerToken.matches("s3cret-token", "s3cret-token")).isFalse();
        assertThat(BearerToken.matches("Bearer ", "")).as("an empty token never matches").isFalse();
        assertThat(BearerToken.matches(null, "s3cret-token")).isFalse();
    }

    @Test
    void allowedSubjectsAreExactUnlessTheyEndInAStar() {
        OidcSettings settings = new OidcSettings("https://issuer", "aud",
                List.of("system:serviceaccount:ns:exact", "system:serviceaccount:other:*"), Duration.ofSeconds(30),
                Optional.empty(), Optional.empty());

        assertThat(settings.allows("system:serviceaccount:ns:exact")).isTrue();
        assertThat(settings.allows("system:serviceaccount:ns:exact2")).isFalse();
        assertThat(settings.allows("system:serviceaccount:other:anything")).isTrue();
        assertThat(settings.allows("system:serviceaccount:ns:other")).isFalse();
    }

    @Test
    void anIssuerWithoutAudienceOrSubjectsIsAConfigurationErrorNamingTheKey() {
        Assertions.assertThatThrownBy(() -> new OidcSettings("https://issuer", " ", List.of("s"), Duration.ZERO,
                Optional.empty(), Optional.empty())).hasMessageContaining("klambda.auth.oidc.audience");
        Assertions.assertThatThrownBy(() -> new OidcSettings("https://issuer", "aud", List.of(), Duration.ZERO,
                Optional.empty(), Optional.empty())).hasMessageContaining("klambda.auth.oidc.allowed-subjects");
    }
}
