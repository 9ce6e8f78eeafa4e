package io.knative.lambda.deployer.reconcile;

import java.time.Duration;
import java.util.Objects;

/**
 * How the reconciler works.
 *
 * @param bucket             the bucket of function sources, the desired state
 * @param period             time between two passes
 * @param grace              objects younger than this are left to their notification (the fast path)
 * @param pageSize           objects per listing request
 * @param maxActions         build requests (and, separately, removals) at most per pass; the rest waits for the next
 * @param maxRequestInterval the longest wait before the same object is asked for again when its build never lands
 */
public record ReconcileSettings(String bucket, Duration period, Duration grace, int pageSize, int maxActions,
        Duration maxRequestInterval) {

    public ReconcileSettings {
        Objects.requireNonNull(bucket, "bucket");
        if (bucket.isBlank() || period.isZero() || period.isNegative() || grace.isNegative() || pageSize < 1
                || pageSize > 1000 || maxActions < 1 || maxRequestInterval.compareTo(period) < 0) {
            throw new IllegalArgumentException("reconcile settings need a bucket, a period > 0, a grace >= 0, a page size of"
                    + " 1..1000, at least one action per period and a max request interval >= the period: " + bucket + ", "
                    + period + ", " + grace + ", " + pageSize + ", " + maxActions + ", " + maxRequestInterval);
        }
    }
}
