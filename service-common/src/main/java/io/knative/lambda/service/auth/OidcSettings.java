package io.knative.lambda.service.auth;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The checks of a bearer JWT, validated: issuer, audience, the allowed subjects (an entry ending in {@code *}
 * allows every subject it begins), the clock skew, and where the issuer's keys are.
 */
public record OidcSettings(String issuer, String audience, List<String> allowedSubjects, Duration clockSkew,
        Optional<URI> jwksUrl, Optional<Path> caFile) {

    public OidcSettings {
        if (issuer == null || issuer.isBlank()) {
            throw new IllegalArgumentException("klambda.auth.oidc.issuer must be set");
        }
        if (audience == null || audience.isBlank()) {
            throw new IllegalArgumentException("klambda.auth.oidc.audience must be set with klambda.auth.oidc.issuer");
        }
        if (allowedSubjects == null || allowedSubjects.stream().allMatch(s -> s == null || s.isBlank())) {
            throw new IllegalArgumentException("klambda.auth.oidc.allowed-subjects must name the callers (the service's"
                    + " Triggers' OIDC identities) with klambda.auth.oidc.issuer");
        }
        if (clockSkew.isNegative() || clockSkew.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("klambda.auth.oidc.clock-skew must be between 0 and 5m, not " + clockSkew);
        }
        allowedSubjects = allowedSubjects.stream().filter(s -> s != null && !s.isBlank()).map(String::trim).toList();
    }

    /** The settings of {@code config}, or empty when no issuer is configured (no authentication). */
    public static Optional<OidcSettings> of(OidcConfig config) {
        return config.issuer().filter(i -> !i.isBlank()).map(issuer -> new OidcSettings(issuer, config.audience().orElse(null),
                config.allowedSubjects().orElse(List.of()), config.clockSkew(), config.jwksUrl(), config.caFile()));
    }

    /** Whether {@code subject} is one of the allowed subjects. */
    public boolean allows(String subject) {
        for (String allowed : allowedSubjects) {
            if (allowed.endsWith("*") ? subject.startsWith(allowed.substring(0, allowed.length() - 1)) : subject.equals(allowed)) {
                return true;
            }
        }
        return false;
    }
}
