package io.knative.lambda.deployer.k8s;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.Resource;

/**
 * A wait on one Service from a resourceVersion the caller holds: one watch request (no list first), each
 * change after that version tested until the condition holds, the time is up, or the version is too old
 * (410 Gone: then the caller waits the usual way).
 */
final class WatchFromVersion {

    /** The version was compacted away on the server: wait from a fresh list instead. */
    static final class GoneException extends RuntimeException {
        GoneException(String name, Throwable cause) {
            super("resourceVersion of Service " + name + " is too old to watch from", cause);
        }
    }

    private WatchFromVersion() {
    }

    /**
     * The Service that met {@code condition} ({@code null} when it met it by being deleted).
     *
     * @throws TimeoutException         the time was up first
     * @throws GoneException            the version is too old
     * @throws KubernetesClientException the API refused the watch
     */
    static Service await(Resource<Service> service, String name, String resourceVersion, Predicate<Service> condition,
            Duration timeout) throws TimeoutException, InterruptedException {
        CompletableFuture<Service> met = new CompletableFuture<>();
        Watcher<Service> watcher = new Watcher<>() {
            @Override
            public void eventReceived(Action action, Service changed) {
                Service state = action == Action.DELETED ? null : changed;
                if ((action == Action.ADDED || action == Action.MODIFIED || action == Action.DELETED)
                        && condition.test(state)) {
                    met.complete(state);
                }
            }

            @Override
            public void onClose(WatcherException cause) {
                met.completeExceptionally(cause.isHttpGone() ? new GoneException(name, cause) : cause);
            }
        };
        try (Watch ignored = watch(service, name, resourceVersion, watcher)) {
            return met.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GoneException gone) {
                throw gone;
            }
            if (e.getCause() instanceof WatcherException w && w.getCause() instanceof KubernetesClientException k) {
                throw k;
            }
            throw new KubernetesClientException("the watch of Service " + name + " failed: " + e.getCause(), e.getCause());
        }
    }

    private static Watch watch(Resource<Service> service, String name, String resourceVersion, Watcher<Service> watcher) {
        try {
            return service.watch(new ListOptionsBuilder().withResourceVersion(resourceVersion).build(), watcher);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 410) {
                throw new GoneException(name, e);
            }
            throw e;
        }
    }
}
