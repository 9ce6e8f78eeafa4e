package io.knative.lambda.localcluster.serving;

/**
 * Where one revision's instance stands, as a {@link RevisionRunner} reports it: still starting, ready
 * (with the endpoint that reaches it, when the runner has one), or failed with a reason and message in
 * Knative's words (e.g. {@code ContainerMissing}: the image cannot be pulled).
 */
public sealed interface RevisionState {

    /** Starting; a change is reported through the runner's listener. */
    record Pending(String reason, String message) implements RevisionState {
    }

    /** Answering; {@code endpoint} is its URL, or {@code null} when the runner has none (the route then uses the domain). */
    record Ready(String endpoint) implements RevisionState {
    }

    /** Cannot run; the revision stays failed until it is deleted. */
    record Failed(String reason, String message) implements RevisionState {
    }
}
