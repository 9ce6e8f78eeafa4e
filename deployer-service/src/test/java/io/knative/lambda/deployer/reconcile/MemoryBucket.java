package io.knative.lambda.deployer.reconcile;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.knative.lambda.deployer.core.BucketUnavailableException;
import io.knative.lambda.deployer.core.FunctionBucket;

/**
 * The reconciler's bucket in its unit tests: objects in key order, listed in pages as S3 does, and a switch that makes
 * every call fail as an unreachable store does. (The S3 adapter itself is tested against a real S3 server.)
 */
final class MemoryBucket implements FunctionBucket {

    private final Map<String, StoredObject> objects = new TreeMap<>();
    private final List<String> heads = new ArrayList<>();
    private final java.util.Set<String> unlisted = new java.util.HashSet<>();
    boolean down;
    int lists;

    synchronized void put(String key, String eTag, Instant lastModified) {
        objects.put(key, new StoredObject(key, eTag, 10, lastModified));
    }

    synchronized void remove(String key) {
        objects.remove(key);
    }

    /** The object stays (a look finds it) but is not listed: written after a listing began. */
    synchronized void hideFromListing(String key) {
        unlisted.add(key);
    }

    /** The keys looked at with {@link #exists}, in order. */
    synchronized List<String> heads() {
        return List.copyOf(heads);
    }

    @Override
    public synchronized Page list(String bucket, String continuation, int pageSize) {
        if (down) {
            throw new BucketUnavailableException("list", bucket, null, "connection refused", null);
        }
        lists++;
        List<StoredObject> all = new ArrayList<>(objects.values());
        all.removeIf(o -> unlisted.contains(o.key()));
        int from = continuation == null ? 0 : Integer.parseInt(continuation);
        int to = Math.min(all.size(), from + pageSize);
        return new Page(all.subList(from, to), to < all.size() ? Integer.toString(to) : null);
    }

    @Override
    public synchronized boolean exists(String bucket, String key) {
        if (down) {
            throw new BucketUnavailableException("look at", bucket, key, "connection refused", null);
        }
        heads.add(key);
        return objects.containsKey(key);
    }
}
