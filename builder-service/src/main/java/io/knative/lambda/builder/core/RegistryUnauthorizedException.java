package io.knative.lambda.builder.core;

import io.knative.lambda.events.FailureReason;

/** The registry refused the builder's credentials for {@link #image()}. */
public final class RegistryUnauthorizedException extends BuildException {

    private final String image;

    public RegistryUnauthorizedException(String image, Throwable cause) {
        this(image, "the registry refused the credentials for " + image
                + " (KLAMBDA_REGISTRY_USERNAME / KLAMBDA_REGISTRY_PASSWORD)", cause);
    }

    /** Refused for the reason {@code message} says (say, credentials never sent over plain HTTP). */
    public RegistryUnauthorizedException(String image, String message, Throwable cause) {
        super(FailureReason.REGISTRY_UNAUTHORIZED, message, cause);
        this.image = image;
    }

    public String image() {
        return image;
    }
}
