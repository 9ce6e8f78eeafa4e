package io.knative.lambda.events;

/**
 * Data of {@code io.knative.lambda.deploy.completed}: the function answers at {@code url}.
 *
 * @param functionId the function id
 * @param service    the Knative Service name
 * @param namespace  its namespace
 * @param url        the URL it answers on
 * @param revision   the revision that takes the traffic
 * @param image      the image by digest
 * @param durationMs how long the rollout took
 */
public record DeployCompleted(String functionId, String service, String namespace, String url, String revision,
        String image, long durationMs) {
}
