package io.knative.lambda.builder.jib;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Blobs this builder has pushed or mounted into a repository, or seen there: a build skips them without asking the
 * registry again. At most {@value #MAX_ENTRIES} (repository, digest) pairs, least recently used first out; dropped
 * per repository when a build that relied on them failed (the registry may have lost them).
 */
final class KnownBlobs {

    static final int MAX_ENTRIES = 10_000;

    private final Map<String, Boolean> known = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    synchronized boolean has(String repository, String digest) {
        return known.get(repository + "@" + digest) != null;
    }

    synchronized void add(String repository, String digest) {
        known.put(repository + "@" + digest, Boolean.TRUE);
    }

    synchronized void forget(String repository) {
        known.keySet().removeIf(k -> k.startsWith(repository + "@"));
    }
}
