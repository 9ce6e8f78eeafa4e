package io.knative.lambda.builder.core;

import io.knative.lambda.events.FailureReason;

/** The registry could not be reached or failed (5xx) while pushing {@link #image()}: transient. */
public final class RegistryUnavailableException extends BuildException {

    private final String image;

    public RegistryUnavailableException(String image, String detail, Throwable cause) {
        super(FailureReason.REGISTRY_UNAVAILABLE, "registry unavailable for " + image + ": " + detail, cause);
        this.image = image;
    }

    public String image() {
        return image;
    }
}
