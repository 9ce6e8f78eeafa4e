package io.knative.lambda.deployer.core;

/**
 * The scaling, resource and handler settings of one function, after defaults and validation.
 *
 * @param minScale             {@code autoscaling.knative.dev/min-scale}
 * @param maxScale             {@code autoscaling.knative.dev/max-scale}
 * @param containerConcurrency requests one instance takes at once (0: unlimited)
 * @param timeoutSeconds       the revision's request timeout
 * @param cpu                  CPU request, a Kubernetes quantity
 * @param memory               memory request and limit, a Kubernetes quantity
 * @param cpuLimit             CPU limit, a Kubernetes quantity; {@code null} for none
 * @param handler              the handler's name, {@code null} for the runtime's default
 * @param execution            {@code worker} or {@code event-loop} (FUNCTION_EXECUTION), {@code null} for the runtime's default
 */
public record FunctionSettings(
        int minScale,
        int maxScale,
        int containerConcurrency,
        int timeoutSeconds,
        String cpu,
        String memory,
        String cpuLimit,
        String handler,
        String execution) {
}
