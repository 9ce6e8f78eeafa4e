package io.knative.lambda.deployer.core;

import java.security.PublicKey;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.events.BuildCompleted;
import io.knative.lambda.service.signing.BuildSignature;

/**
 * Decides whether a {@code build.completed} comes from the builder: its data carries a valid Ed25519 signature of one of
 * the builder's public keys ({@link BuildSignature}: every field the deployer acts on is signed), and its image is in the
 * builder's repository of that function, {@code {registry}/{kind}-{id}}, pinned by the digest the data names. A signature
 * rather than a look into S3: the deployer never needs the sources, nor S3 credentials.
 */
public final class BuildVerifier {

    private final BuildSignature signature;
    private final Map<String, PublicKey> builderKeys;
    private final Optional<String> registry;

    /**
     * @param builderKeys the builder's public keys by key id; empty: signatures are not checked (a warning at start)
     * @param registry    the builder's {@code klambda.registry}; empty: the repository is not checked
     */
    public BuildVerifier(BuildSignature signature, Map<String, PublicKey> builderKeys, Optional<String> registry) {
        this.signature = signature;
        this.builderKeys = Map.copyOf(builderKeys);
        this.registry = registry.map(r -> r.endsWith("/") ? r.substring(0, r.length() - 1) : r);
    }

    /** Whether signatures are checked. */
    public boolean checksSignatures() {
        return !builderKeys.isEmpty();
    }

    /** Why {@code build} (read from {@code data}) is not to be trusted, or empty when it is. */
    public Optional<String> refusal(JsonNode data, BuildCompleted build) {
        if (checksSignatures()) {
            String why = signature.verify(data, builderKeys);
            if (why != null) {
                return Optional.of("build.completed is not signed by the builder: " + why);
            }
        }
        if (registry.isPresent() && build.image() != null && build.kind() != null && build.functionId() != null) {
            String repository = registry.get() + "/" + KnativeObjects.serviceName(build.kind(), build.functionId());
            String image = build.image();
            int at = image.indexOf('@');
            if (at < 0) {
                return Optional.empty(); // not by digest: the deployer's own checks refuse it (InvalidEvent)
            }
            if (!image.substring(0, at).equals(repository)) {
                return Optional.of("image " + image + " is not in the builder's repository " + repository);
            }
            if (build.digest() != null && !image.substring(at + 1).equals(build.digest())) {
                return Optional.of("image " + image + " is not the digest " + build.digest() + " the event names");
            }
        }
        return Optional.empty();
    }
}
