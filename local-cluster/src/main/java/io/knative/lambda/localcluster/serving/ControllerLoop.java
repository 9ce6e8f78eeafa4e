package io.knative.lambda.localcluster.serving;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import io.knative.lambda.localcluster.store.ObjectStore;
import io.knative.lambda.localcluster.store.ResourceType;

/**
 * Runs the {@link ServingController} as Knative's controllers run: a work queue of Services to reconcile, fed by
 * the store's changes (a Service added, or changed in a spec the controller has not observed yet; a Revision
 * deleted stops its instance) and by the runner (a revision became ready or failed); one reconcile per Service at
 * a time, a Service changed meanwhile is reconciled again after, and a lost race ({@link ServingObjects.Conflict})
 * is retried. A change of only a Service's status (the controller's own writes) or metadata (a label or an
 * annotation someone sets) reconciles nothing: the controller reads neither.
 */
public final class ControllerLoop implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ControllerLoop.class.getName());

    private final ServingController controller;
    private final ExecutorService workers;
    private final Set<String> queued = new HashSet<>();
    private final Set<String> running = new HashSet<>();
    private final Set<String> again = new HashSet<>();
    private ObjectStore.Subscription subscription;

    public ControllerLoop(ServingController controller, int threads) {
        this.controller = controller;
        this.workers = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "serving-controller");
            t.setDaemon(true);
            return t;
        });
    }

    /** A loop whose work comes from {@code store}'s changes and {@code runner}'s reports. */
    public static ControllerLoop watching(ObjectStore store, ServingController controller, RevisionRunner runner, int threads) {
        ControllerLoop loop = new ControllerLoop(controller, threads);
        runner.onChange(loop::enqueue);
        loop.subscription = store.subscribe(store.resourceVersion(), e -> {
            if (e.resource().equals(ResourceType.SERVICES) && !"DELETED".equals(e.type())
                    && !("MODIFIED".equals(e.type()) && specObserved(e.object()))) {
                loop.enqueue(e.namespace(), e.name());
            } else if (e.resource().equals(ResourceType.REVISIONS) && "DELETED".equals(e.type())) {
                loop.workers.execute(() -> controller.revisionDeleted(e.namespace(), e.name()));
            }
        });
        return loop;
    }

    /** Whether the Service's status says the controller reconciled its current spec ({@code observedGeneration}). */
    static boolean specObserved(JsonNode service) {
        long generation = service.path("metadata").path("generation").asLong(-1);
        return generation > 0 && generation == service.path("status").path("observedGeneration").asLong(-1);
    }

    /** Reconciles the Service soon (once, however often it is asked meanwhile). */
    public void enqueue(String namespace, String name) {
        String key = namespace + "/" + name;
        synchronized (this) {
            if (running.contains(key)) {
                again.add(key);
                return;
            }
            if (!queued.add(key)) {
                return;
            }
        }
        try {
            workers.execute(() -> work(namespace, name, key));
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // shutting down
        }
    }

    private void work(String namespace, String name, String key) {
        synchronized (this) {
            queued.remove(key);
            running.add(key);
        }
        boolean retry = false;
        try {
            controller.reconcile(namespace, name);
        } catch (ServingObjects.Conflict e) {
            retry = true;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "reconciling Service " + key + " failed", e);
        } finally {
            synchronized (this) {
                running.remove(key);
                retry |= again.remove(key);
            }
        }
        if (retry) {
            enqueue(namespace, name);
        }
    }

    @Override
    public void close() {
        if (subscription != null) {
            subscription.close();
        }
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
