package io.knative.lambda.builder.core;

import io.knative.lambda.events.FailureReason;

/** The function's S3 object is larger than the builder accepts; knows the size and the limit. */
public final class SourceTooLargeException extends BuildException {

    private final long size;
    private final long limit;

    public SourceTooLargeException(String bucket, String key, long size, long limit) {
        super(FailureReason.SOURCE_TOO_LARGE, "s3://" + bucket + "/" + key + " is " + (size < 0 ? "over " + limit : size)
                + " bytes; the builder accepts at most " + limit + " bytes (klambda.s3.max-object-size)");
        this.size = size;
        this.limit = limit;
    }

    /** The object's size in bytes, or -1 when only "over the limit" is known. */
    public long size() {
        return size;
    }

    public long limit() {
        return limit;
    }
}
