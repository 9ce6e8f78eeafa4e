package io.knative.lambda.deployer.reconcile;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * What the reconciler has asked for already, per object version (key and ETag): a build that never lands (it fails
 * for good, or keeps being lost) is asked for again after one period, then two, four, ... up to a maximum, so a broken
 * upload costs one {@code build.failed} per interval instead of one per pass. Forgotten once the version is deployed
 * or gone, and at a restart (one more request then).
 */
final class RequestBackoff {

    private record Asked(int times, Instant next) {
    }

    private final Duration period;
    private final Duration max;
    private final Map<String, Asked> asked = new HashMap<>();

    RequestBackoff(Duration period, Duration max) {
        this.period = period;
        this.max = max;
    }

    /** Whether the version may be asked for at {@code now}. */
    boolean due(String version, Instant now) {
        Asked a = asked.get(version);
        return a == null || !now.isBefore(a.next());
    }

    /** Records a request made at {@code now}. */
    void asked(String version, Instant now) {
        int times = asked.containsKey(version) ? asked.get(version).times() + 1 : 1;
        Duration wait = period;
        for (int i = 1; i < times && wait.compareTo(max) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        asked.put(version, new Asked(times, now.plus(wait.compareTo(max) > 0 ? max : wait)));
    }

    /** Forgets every version not in {@code pending} (deployed or gone). */
    void retainOnly(Set<String> pending) {
        asked.keySet().retainAll(pending);
    }
}
