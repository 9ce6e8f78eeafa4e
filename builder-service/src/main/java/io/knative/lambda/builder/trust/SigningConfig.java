package io.knative.lambda.builder.trust;

import java.nio.file.Path;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/** The builder's signing key ({@code klambda.signing.key-file}, environment {@code KLAMBDA_SIGNING_KEY_FILE}). */
@ConfigMapping(prefix = "klambda.signing")
public interface SigningConfig {

    /**
     * The Ed25519 private key (PEM, PKCS#8) the builder signs {@code build.completed} with; only the builder holds it.
     * Unset: events go out unsigned, and a deployer that verifies refuses them ({@code Unverified}).
     */
    @io.smallrye.config.WithName("key-file")
    Optional<Path> keyFile();
}
