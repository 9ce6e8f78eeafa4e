package io.knative.lambda.localcluster.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.fabric8.knative.serving.v1.Revision;
import io.fabric8.knative.serving.v1.Service;
import io.knative.lambda.localcluster.KnativeTestClient;
import io.knative.lambda.localcluster.store.Json;
import io.knative.lambda.localcluster.store.ObjectStore;
import io.knative.lambda.localcluster.store.ResourceType;

/**
 * The controller's work queue as the store feeds it: what a change of a Service reconciles, counted by the reads of
 * the Service a reconcile starts with. One worker, so that a Service created last is reconciled after every change
 * made before it (the barrier each test waits on).
 */
class ControllerLoopTest {

    private static final String NS = KnativeTestClient.NAMESPACE;

    private final ObjectStore store = new ObjectStore(Clock.systemUTC());
    private final ScriptedRevisionRunner runner = new ScriptedRevisionRunner();
    private final Map<String, AtomicInteger> reconciles = new ConcurrentHashMap<>();
    private final ControllerLoop loop = ControllerLoop.watching(store,
            new ServingController(counting(new StoreServingObjects(store)), runner, "example.com", Clock.systemUTC()),
            runner, 1);

    @AfterEach
    void close() {
        loop.close();
    }

    @Test
    void aServiceIsReconciledOnceWhenTheControllerOnlyWritesItsStatus() {
        runner.rule(NS, "fn", r -> new RevisionState.Ready(null));

        create("fn");
        awaitReady("fn");
        barrier("after-status");

        assertThat(reconciles("fn")).as("reconciles of fn (its own status write reconciles nothing)").isEqualTo(1);
    }

    @Test
    void aLabelOrAnnotationChangeReconcilesNothingAndASpecChangeDoes() {
        runner.rule(NS, "fn", r -> new RevisionState.Ready(null));
        create("fn");
        awaitReady("fn");
        barrier("after-create");
        int before = reconciles("fn");

        change("fn", s -> s.getMetadata().setAnnotations(Map.of("example.com/reported-generation", "1")));
        barrier("after-annotation");
        assertThat(reconciles("fn")).as("reconciles after an annotation change").isEqualTo(before);

        change("fn", s -> s.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("img@sha256:b"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(service("fn").getStatus()
                .getLatestReadyRevisionName()).isEqualTo("fn-00002"));
        assertThat(reconciles("fn")).as("reconciles after a spec change").isGreaterThan(before);
    }

    @Test
    void aRevisionThatBecomesReadyLaterIsSeenThroughTheRunnerNotTheStatusWrite() {
        create("slow");
        await().atMost(Duration.ofSeconds(10)).until(() -> service("slow").getStatus() != null);

        runner.decide(NS, "slow", "slow-00001", new RevisionState.Ready(null));

        awaitReady("slow");
    }

    private void create(String name) {
        store.create(ResourceType.SERVICES, NS, Json.tree(KnativeTestClient.service(name, "img@sha256:a")));
    }

    private void change(String name, java.util.function.Consumer<Service> change) {
        Service s = service(name);
        change.accept(s);
        store.update(ResourceType.SERVICES, NS, name, Json.tree(s));
    }

    /** Creates a Service of its own and waits until it has a status: every change made before has been worked off. */
    private void barrier(String name) {
        runner.rule(NS, name, r -> new RevisionState.Ready(null));
        create(name);
        awaitReady(name);
    }

    private void awaitReady(String name) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(KnativeTestClient.condition(service(name),
                "Ready")).isNotNull().extracting("status").isEqualTo("True"));
    }

    private Service service(String name) {
        return Json.object(store.get(ResourceType.SERVICES, NS, name).orElseThrow(), Service.class);
    }

    private int reconciles(String name) {
        return reconciles.getOrDefault(name, new AtomicInteger()).get();
    }

    private ServingObjects counting(ServingObjects objects) {
        return new ServingObjects() {
            @Override
            public Optional<Service> service(String namespace, String name) {
                reconciles.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
                return objects.service(namespace, name);
            }

            @Override
            public List<Revision> revisions(String namespace, String service) {
                return objects.revisions(namespace, service);
            }

            @Override
            public Revision createRevision(Revision revision) {
                return objects.createRevision(revision);
            }

            @Override
            public Revision updateRevisionStatus(Revision revision) {
                return objects.updateRevisionStatus(revision);
            }

            @Override
            public void updateServiceStatus(Service service) {
                objects.updateServiceStatus(service);
            }
        };
    }
}
