package io.knative.lambda.deployer.core;

import java.time.Instant;
import java.util.List;

/**
 * The deployer's port to the bucket of function sources, the desired state of the platform: a listing to compare
 * with what is deployed, and a look at one object to confirm that it is really gone before a function is removed.
 * Every call throws {@link BucketUnavailableException} when the store cannot answer; nothing else.
 */
public interface FunctionBucket {

    /**
     * One page of the bucket's objects in key order (S3 {@code ListObjectsV2}).
     *
     * @param continuation where the previous page ended, or {@code null} for the first page
     * @param pageSize     at most this many objects
     */
    Page list(String bucket, String continuation, int pageSize);

    /** Whether the object exists now (S3 {@code HeadObject}: 200 yes, 404 no). */
    boolean exists(String bucket, String key);

    /**
     * A page of a listing.
     *
     * @param next the continuation of the next page, or {@code null} on the last page
     */
    record Page(List<StoredObject> objects, String next) {
    }

    /**
     * An object of the listing.
     *
     * @param eTag         its ETag without quotes
     * @param lastModified when it was last written
     */
    record StoredObject(String key, String eTag, long size, Instant lastModified) {
    }
}
