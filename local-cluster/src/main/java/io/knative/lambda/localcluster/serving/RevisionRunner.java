package io.knative.lambda.localcluster.serving;

import java.util.Optional;
import java.util.function.BiConsumer;

import io.fabric8.knative.serving.v1.Revision;

/**
 * The port through which the {@link ServingController} runs revisions, as Knative runs a Deployment per
 * revision: in local mode host processes ({@code process.ProcessRevisionRunner}); in tests an
 * {@link InstantRevisionRunner} or a {@link ScriptedRevisionRunner}. Calls never block for long: a
 * revision that takes time to start is {@link RevisionState.Pending} and its change is reported later.
 */
public interface RevisionRunner extends AutoCloseable {

    /** Makes sure {@code revision} runs (starting it if needed) and says where it stands. */
    RevisionState run(Revision revision);

    /** Stops the revision's instance, if any (scale to zero, or the revision was deleted). */
    void stop(String namespace, String revision);

    /** Where the revision's instance answers now, when it runs and is ready (the ingress sends requests there). */
    default Optional<String> endpoint(String namespace, String revision) {
        return Optional.empty();
    }

    /** Whom to tell, with (namespace, service), when a revision's state changes on its own. */
    void onChange(BiConsumer<String, String> listener);

    /**
     * Called once at start after the objects of an earlier run were reloaded, with the names of the revisions the
     * cluster has: a runner that finds instances of an earlier run stops those of other revisions (it adopts the
     * others when they are run).
     */
    default void restored(java.util.Set<String> revisions) {
    }

    /** Stops every instance. */
    @Override
    default void close() {
    }
}
