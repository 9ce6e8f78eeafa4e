package io.knative.lambda.builder.core;

import io.knative.lambda.events.FailureReason;

/** The S3 server refused the builder's credentials for the object; knows which object. */
public final class SourceAccessDeniedException extends BuildException {

    public SourceAccessDeniedException(String bucket, String key, String detail) {
        super(FailureReason.SOURCE_ACCESS_DENIED, "access to s3://" + bucket + "/" + key + " denied: " + detail);
    }
}
