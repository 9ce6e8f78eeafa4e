package io.knative.lambda.builder.core;

import io.knative.lambda.events.FailureReason;

/** {@code function.yaml} (or {@code requirements.txt}) is not valid; knows the key (or line) at fault. */
public final class InvalidManifestException extends BuildException {

    private final String key;

    /** @param key the key ({@code settings.max-scale}) or {@code file:line} at fault */
    public InvalidManifestException(String file, String key, String problem) {
        super(FailureReason.INVALID_MANIFEST, file + ": " + key + ": " + problem);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
