package io.knative.lambda.events;

/**
 * Data of {@code io.knative.lambda.rollback.requested}: pin the traffic to an earlier revision or image.
 *
 * @param revision the revision name to pin to, or {@code null}
 * @param image    the image by digest to pin to, or {@code null}
 */
public record RollbackRequested(String revision, String image) {
}
