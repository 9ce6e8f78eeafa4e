package io.knative.lambda.builder.core;

import io.knative.lambda.events.FailureReason;

/** The configured runtime base image does not exist in its registry; knows which image. */
public final class BaseImageNotFoundException extends BuildException {

    private final String baseImage;

    public BaseImageNotFoundException(String baseImage, Throwable cause) {
        super(FailureReason.BASE_IMAGE_NOT_FOUND, "base image " + baseImage
                + " not found (KLAMBDA_RUNTIME_<LANG>_BASE_IMAGE; push it with `make runtime-images`)", cause);
        this.baseImage = baseImage;
    }

    public String baseImage() {
        return baseImage;
    }
}
