package io.knative.lambda.deployer.core;

import java.util.Objects;

import org.jboss.logging.Logger;

import io.knative.lambda.events.FunctionKey;

/**
 * Removes a function only when the bucket agrees: an {@code ObjectRemoved} notification (or the reconciler's missing
 * object) is acted on once {@link FunctionBucket#exists} confirms the object is really gone; for an object still in
 * the bucket (a forged, replayed or stale notification) nothing is deleted and nothing is announced.
 */
public final class Removals {

    private static final Logger LOG = Logger.getLogger(Removals.class);

    private final FunctionBucket bucket;
    private final Deployer deployer;

    public Removals(FunctionBucket bucket, Deployer deployer) {
        this.bucket = Objects.requireNonNull(bucket, "bucket");
        this.deployer = Objects.requireNonNull(deployer, "deployer");
    }

    /**
     * The function of {@code key} removed if {@code s3://bucketName/key} is gone, else {@link DeployOutcome.Refused}.
     *
     * @throws BucketUnavailableException when the bucket cannot say (retry)
     */
    public DeployOutcome removeIfGone(String bucketName, FunctionKey key) {
        if (bucket.exists(bucketName, key.key())) {
            LOG.warnf("removal of function %s refused: s3://%s/%s is still in the bucket (a forged or stale ObjectRemoved)",
                    key.serviceName(), bucketName, key.key());
            return new DeployOutcome.Refused(key.id(), "s3://" + bucketName + "/" + key.key() + " is still in the bucket");
        }
        return deployer.remove(key);
    }
}
