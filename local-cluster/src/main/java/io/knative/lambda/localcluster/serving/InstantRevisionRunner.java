package io.knative.lambda.localcluster.serving;

import java.util.function.BiConsumer;

import io.fabric8.knative.serving.v1.Revision;

/** A {@link RevisionRunner} whose every revision is ready at once, with no endpoint: Knative with nothing behind it. */
public final class InstantRevisionRunner implements RevisionRunner {

    @Override
    public RevisionState run(Revision revision) {
        return new RevisionState.Ready(null);
    }

    @Override
    public void stop(String namespace, String revision) {
        // nothing runs
    }

    @Override
    public void onChange(BiConsumer<String, String> listener) {
        // nothing changes on its own
    }
}
