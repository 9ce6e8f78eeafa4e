package io.knative.lambda.localcluster.store;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The store's changes for watchers: the last {@link #HISTORY} events, so that a watch can resume from a
 * resourceVersion, and the listeners told of each new one. Called only under the {@link ObjectStore}'s lock.
 */
final class ChangeLog {

    /** How many past changes a watch can resume from. */
    static final int HISTORY = 10_000;

    private final Deque<WatchEvent> history = new ArrayDeque<>();
    private final List<Consumer<WatchEvent>> listeners = new CopyOnWriteArrayList<>();

    /** Replays the changes after {@code fromVersion}, then adds the listener; 410 Expired when they are no longer kept. */
    ObjectStore.Subscription subscribe(long fromVersion, long currentVersion, Consumer<WatchEvent> listener) {
        if (fromVersion < currentVersion) {
            long oldest = history.isEmpty() ? currentVersion + 1 : history.peekFirst().resourceVersion();
            if (fromVersion < oldest - 1) {
                throw new ApiException(410, "Expired", "too old resource version: " + fromVersion + " (" + (oldest - 1)
                        + ")", null, null);
            }
            for (WatchEvent e : history) {
                if (e.resourceVersion() > fromVersion) {
                    listener.accept(e);
                }
            }
        }
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Keeps the event and tells every listener. */
    void emit(WatchEvent event) {
        history.addLast(event);
        while (history.size() > HISTORY) {
            history.removeFirst();
        }
        for (Consumer<WatchEvent> l : listeners) {
            l.accept(event);
        }
    }
}
