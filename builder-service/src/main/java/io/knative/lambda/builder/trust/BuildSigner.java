package io.knative.lambda.builder.trust;

import java.io.IOException;
import java.security.PrivateKey;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.knative.lambda.service.signing.BuildSignature;
import io.knative.lambda.service.signing.SigningKeys;
import io.quarkus.runtime.Startup;

/**
 * Signs the data of every {@code build.completed} the builder replies with ({@link BuildSignature}), with the key of
 * {@link SigningConfig}: the deployer rolls out only what this key signed. The key is read once at start; a key file
 * that cannot be read stops the builder with a message naming the key.
 */
@Singleton
@Startup
public class BuildSigner {

    private static final Logger LOG = Logger.getLogger(BuildSigner.class);

    private final BuildSignature signature;
    private final PrivateKey key;
    private final String keyId;

    @Inject
    public BuildSigner(SigningConfig config, ObjectMapper mapper) {
        this.signature = new BuildSignature(mapper);
        if (config.keyFile().isEmpty()) {
            this.key = null;
            this.keyId = null;
            LOG.warn("klambda.signing.key-file is not set: build.completed goes out UNSIGNED and a deployer that verifies"
                    + " builds refuses it (deploy.failed Unverified)");
            return;
        }
        try {
            this.key = SigningKeys.readPrivateKey(config.keyFile().get());
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("klambda.signing.key-file " + config.keyFile().get() + " cannot be read as an"
                    + " Ed25519 private key (PEM): " + e.getMessage(), e);
        }
        this.keyId = SigningKeys.keyId(SigningKeys.publicKeyOf(key));
        LOG.infof("build.completed is signed with Ed25519 key %s", keyId);
    }

    /** {@code data} with its signature, or {@code data} itself when no key is configured. */
    public Object sign(Object data) {
        return key == null ? data : signature.sign(data, key, keyId);
    }
}
