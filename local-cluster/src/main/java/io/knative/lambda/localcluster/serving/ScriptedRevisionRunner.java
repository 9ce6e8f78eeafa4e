package io.knative.lambda.localcluster.serving;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Function;

import io.fabric8.knative.serving.v1.Revision;

/**
 * A {@link RevisionRunner} for tests that decide each revision's fate: a rule per service gives the state of a
 * revision when it is first run (default: pending for ever), {@link #decide} settles one revision by name,
 * and a decided state sticks, as a started container's would.
 */
public final class ScriptedRevisionRunner implements RevisionRunner {

    /** The pending state of a revision nobody decided yet. */
    public static final RevisionState.Pending UNDECIDED = new RevisionState.Pending("Deploying",
            "the revision is not ready yet");

    private final Map<String, RevisionState> decided = new ConcurrentHashMap<>();
    private final Map<String, Function<Revision, RevisionState>> rules = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<BiConsumer<String, String>> listeners = new CopyOnWriteArrayList<>();

    /** From now on, revisions of {@code service} that are run for the first time get the state {@code rule} gives. */
    public void rule(String namespace, String service, Function<Revision, RevisionState> rule) {
        rules.put(namespace + "/" + service, rule);
    }

    /** Settles {@code revision} of {@code service} (before or after it is run) and tells the controller. */
    public void decide(String namespace, String service, String revision, RevisionState state) {
        decided.put(namespace + "/" + revision, state);
        listeners.forEach(l -> l.accept(namespace, service));
    }

    @Override
    public RevisionState run(Revision revision) {
        String namespace = revision.getMetadata().getNamespace();
        String key = namespace + "/" + revision.getMetadata().getName();
        RevisionState known = decided.get(key);
        if (known != null) {
            return known;
        }
        String service = revision.getMetadata().getLabels().get(Revisions.SERVICE_LABEL);
        Function<Revision, RevisionState> rule = rules.get(namespace + "/" + service);
        RevisionState state = rule == null ? UNDECIDED : rule.apply(revision);
        if (!(state instanceof RevisionState.Pending)) {
            decided.put(key, state);
        }
        return state;
    }

    @Override
    public Optional<String> endpoint(String namespace, String revision) {
        return decided.get(namespace + "/" + revision) instanceof RevisionState.Ready r ? Optional.ofNullable(r.endpoint())
                : Optional.empty();
    }

    @Override
    public void stop(String namespace, String revision) {
        // a decided revision keeps its state: scaled to zero, it comes back the same
    }

    @Override
    public void onChange(BiConsumer<String, String> listener) {
        listeners.add(listener);
    }
}
