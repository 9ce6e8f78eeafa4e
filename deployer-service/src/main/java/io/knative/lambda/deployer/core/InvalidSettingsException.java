package io.knative.lambda.deployer.core;

/**
 * A per-function setting (from the S3 object's metadata) that the platform refuses; ends in
 * {@code deploy.failed} with {@link io.knative.lambda.events.FailureReason#INVALID_SETTINGS}.
 */
public final class InvalidSettingsException extends Exception {

    private final String key;
    private final String value;

    public InvalidSettingsException(String key, String value, String rule) {
        super("setting " + key + "='" + value + "' is refused: " + rule);
        this.key = key;
        this.value = value;
    }

    /** The setting's name, e.g. {@code max-scale}. */
    public String key() {
        return key;
    }

    /** The value as given. */
    public String value() {
        return value;
    }
}
