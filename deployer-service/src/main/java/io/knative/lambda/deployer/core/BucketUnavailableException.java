package io.knative.lambda.deployer.core;

/**
 * The bucket could not be listed or looked at (unreachable, 5xx, access denied, no such bucket): nothing is decided
 * on it, the event is retried or the reconciler tries again at its next period.
 */
public final class BucketUnavailableException extends RuntimeException {

    private final String bucket;
    private final String key;

    public BucketUnavailableException(String operation, String bucket, String key, String message, Throwable cause) {
        super(operation + " s3://" + bucket + "/" + (key == null ? "" : key) + " failed: " + message, cause);
        this.bucket = bucket;
        this.key = key;
    }

    public String bucket() {
        return bucket;
    }

    /** The object looked at, or {@code null} for a listing. */
    public String key() {
        return key;
    }
}
