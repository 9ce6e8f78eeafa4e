package io.knative.lambda.deployer.core;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Service names this deployer has seen exist (read, created or written), so that a rollout of any other name
 * creates first instead of reading first: a new function's critical path is one API call shorter, and a name
 * that exists after all answers 409 and is read then. Only a hint: bounded, forgotten on restart, never trusted
 * for correctness.
 */
final class KnownServices {

    /** More names than any namespace of functions holds; past it the hint starts over. */
    static final int LIMIT = 100_000;

    private final Set<String> names = ConcurrentHashMap.newKeySet();

    /** Whether {@code name} was seen to exist (and not seen deleted since). */
    boolean contains(String name) {
        return names.contains(name);
    }

    /** {@code name} exists. */
    void add(String name) {
        if (names.size() >= LIMIT) {
            names.clear();
        }
        names.add(name);
    }

    /** {@code name} was deleted. */
    void remove(String name) {
        names.remove(name);
    }
}
