package io.knative.lambda.service.auth;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * Who may deliver events to a service ({@code klambda.auth.oidc.*}; environment {@code KLAMBDA_AUTH_OIDC_ISSUER}, ...):
 * when an issuer is set, {@code POST /} needs a bearer JWT of that issuer, for that audience, whose subject is
 * allowed. Knative Eventing's sender identity ({@code authentication-oidc}) gives Triggers such tokens.
 */
@ConfigMapping(prefix = "klambda.auth.oidc")
public interface OidcConfig {

    /** The tokens' issuer ({@code iss}); unset: no token is asked for ({@code KLAMBDA_AUTH_OIDC_ISSUER}). */
    Optional<String> issuer();

    /** The audience ({@code aud}) tokens must be for: the one the Triggers name for this service. */
    Optional<String> audience();

    /** The issuer's JWKS; unset: the {@code jwks_uri} of {@code <issuer>/.well-known/openid-configuration}. */
    @WithName("jwks-url")
    Optional<URI> jwksUrl();

    /** The subjects ({@code sub}) allowed to call; an entry ending in {@code *} allows every subject it begins. */
    @WithName("allowed-subjects")
    Optional<List<String>> allowedSubjects();

    /** How far {@code exp} and {@code nbf} may be off. */
    @WithName("clock-skew")
    @WithDefault("30s")
    Duration clockSkew();

    /** PEM certificates to trust for the JWKS and discovery over https (a cluster's {@code ca.crt}); unset: the JDK's. */
    @WithName("ca-file")
    Optional<Path> caFile();
}
