package io.knative.lambda.deployer.reconcile;

/** Where the reconciler puts the events it emits of its own accord (the broker: {@code K_SINK}). */
public interface ReconcileEvents {

    /**
     * Publishes one CloudEvent.
     *
     * @return {@code null} when the bus took it, else why not
     */
    String publish(String type, String id, String subject, Object data);
}
