package io.knative.lambda.builder.core;

import io.knative.lambda.events.FailureReason;

/** The function's S3 object (or its bucket) does not exist; knows which. */
public final class SourceNotFoundException extends BuildException {

    private final String bucket;
    private final String key;

    public SourceNotFoundException(String bucket, String key, String detail) {
        super(FailureReason.SOURCE_NOT_FOUND, "s3://" + bucket + "/" + key + " does not exist" + (detail == null ? "" : ": " + detail));
        this.bucket = bucket;
        this.key = key;
    }

    public String bucket() {
        return bucket;
    }

    public String key() {
        return key;
    }
}
