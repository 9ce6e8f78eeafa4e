package io.knative.lambda.localcluster.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fabric8.knative.pkg.apis.Condition;
import io.fabric8.knative.serving.v1.Revision;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.TrafficTarget;
import io.fabric8.knative.serving.v1.TrafficTargetBuilder;
import io.knative.lambda.localcluster.KnativeTestClient;
import io.knative.lambda.localcluster.store.Json;
import io.knative.lambda.localcluster.store.ObjectStore;
import io.knative.lambda.localcluster.store.ResourceType;

/** Knative Serving's behaviour as the controller plays it: revision numbering, readiness, failure reasons, traffic pins. */
class ServingControllerTest {

    private static final String NS = KnativeTestClient.NAMESPACE;

    private final ObjectStore store = new ObjectStore(Clock.systemUTC());
    private final ScriptedRevisionRunner runner = new ScriptedRevisionRunner();
    private final List<String> stopped = new ArrayList<>();
    private final ServingController controller = new ServingController(new StoreServingObjects(store), new RevisionRunner() {
        @Override
        public RevisionState run(Revision revision) {
            return runner.run(revision);
        }

        @Override
        public void stop(String namespace, String revision) {
            stopped.add(revision);
        }

        @Override
        public void onChange(java.util.function.BiConsumer<String, String> listener) {
        }
    }, "example.com", Clock.systemUTC());

    private Service create(String name, String image) {
        store.create(ResourceType.SERVICES, NS, Json.tree(KnativeTestClient.service(name, image)));
        controller.reconcile(NS, name);
        return service(name);
    }

    private Service update(String name, java.util.function.Consumer<Service> change) {
        Service s = service(name);
        change.accept(s);
        store.update(ResourceType.SERVICES, NS, name, Json.tree(s));
        controller.reconcile(NS, name);
        return service(name);
    }

    private Service service(String name) {
        return Json.object(store.get(ResourceType.SERVICES, NS, name).orElseThrow(), Service.class);
    }

    private void settle(String service, String revision, RevisionState state) {
        runner.decide(NS, service, revision, state);
        controller.reconcile(NS, service);
    }

    private static Condition condition(Service s, String type) {
        return KnativeTestClient.condition(s, type);
    }

    @Test
    void aNewServiceGetsItsFirstRevisionAndIsUnknownUntilTheRevisionIsReady() {
        Service s = create("fn", "img@sha256:a");

        assertThat(s.getStatus().getObservedGeneration()).isEqualTo(1);
        assertThat(s.getStatus().getLatestCreatedRevisionName()).isEqualTo("fn-00001");
        assertThat(s.getStatus().getLatestReadyRevisionName()).isNull();
        assertThat(condition(s, "Ready").getStatus()).isEqualTo("Unknown");
        assertThat(condition(s, "Ready").getReason()).isEqualTo("RevisionMissing");
        Revision revision = Json.object(store.get(ResourceType.REVISIONS, NS, "fn-00001").orElseThrow(), Revision.class);
        assertThat(revision.getMetadata().getLabels()).containsEntry("serving.knative.dev/service", "fn")
                .containsEntry("serving.knative.dev/configuration", "fn")
                .containsEntry("serving.knative.dev/configurationGeneration", "1");
        assertThat(revision.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getUid()).isEqualTo(s.getMetadata().getUid()));

        settle("fn", "fn-00001", new RevisionState.Ready(null));

        Service ready = service("fn");
        assertThat(condition(ready, "Ready").getStatus()).isEqualTo("True");
        assertThat(condition(ready, "ConfigurationsReady").getStatus()).isEqualTo("True");
        assertThat(condition(ready, "RoutesReady").getStatus()).isEqualTo("True");
        assertThat(ready.getStatus().getLatestReadyRevisionName()).isEqualTo("fn-00001");
        assertThat(ready.getStatus().getUrl()).isEqualTo("http://fn.local.example.com");
        assertThat(ready.getStatus().getAddress().getUrl()).isEqualTo("http://fn.local.svc.cluster.local");
        assertThat(ready.getStatus().getTraffic()).singleElement().satisfies(t -> {
            assertThat(t.getRevisionName()).isEqualTo("fn-00001");
            assertThat(t.getLatestRevision()).isTrue();
            assertThat(t.getPercent()).isEqualTo(100L);
        });
    }

    @Test
    void onlyATemplateChangeMakesTheNextRevisionAndTheOldOneStopsOnceTheNewServes() {
        runner.rule(NS, "fn", r -> new RevisionState.Ready(null));
        create("fn", "img@sha256:a");
        update("fn", s -> s.getMetadata().getAnnotations().put("note", "metadata only"));
        update("fn", s -> s.getMetadata().getAnnotations().put("note", "again"));
        assertThat(service("fn").getStatus().getLatestCreatedRevisionName()).isEqualTo("fn-00001");
        assertThat(stopped).isEmpty();

        Service second = update("fn", s -> s.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("img@sha256:b"));

        assertThat(second.getStatus().getLatestCreatedRevisionName()).isEqualTo("fn-00002");
        assertThat(second.getStatus().getLatestReadyRevisionName()).isEqualTo("fn-00002");
        assertThat(second.getStatus().getObservedGeneration()).isEqualTo(2);
        assertThat(stopped).containsExactly("fn-00001");
    }

    @Test
    void aFailingNewRevisionIsRevisionFailedWhileTheOldOneKeepsTheTraffic() {
        create("fn", "img@sha256:a");
        settle("fn", "fn-00001", new RevisionState.Ready("http://127.0.0.1:1/"));
        update("fn", s -> s.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("img@sha256:b"));
        assertThat(condition(service("fn"), "Ready").getStatus()).as("the new revision starts").isEqualTo("Unknown");
        assertThat(stopped).as("the old one serves meanwhile").isEmpty();

        settle("fn", "fn-00002", new RevisionState.Failed("ContainerMissing", "cannot pull img@sha256:b"));

        Service s = service("fn");
        assertThat(condition(s, "ConfigurationsReady").getReason()).isEqualTo("RevisionFailed");
        assertThat(condition(s, "ConfigurationsReady").getMessage())
                .isEqualTo("Revision \"fn-00002\" failed with message: cannot pull img@sha256:b.");
        assertThat(condition(s, "RoutesReady").getStatus()).isEqualTo("True");
        assertThat(condition(s, "Ready").getStatus()).isEqualTo("False");
        assertThat(condition(s, "Ready").getReason()).isEqualTo("RevisionFailed");
        assertThat(s.getStatus().getLatestReadyRevisionName()).isEqualTo("fn-00001");
        assertThat(s.getStatus().getTraffic()).singleElement().satisfies(t -> assertThat(t.getRevisionName()).isEqualTo("fn-00001"));
        Revision failed = Json.object(store.get(ResourceType.REVISIONS, NS, "fn-00002").orElseThrow(), Revision.class);
        assertThat(Revisions.ready(failed).getReason()).isEqualTo("ContainerMissing");
    }

    @Test
    void aFirstRevisionThatFailsLeavesNoReadyRevision() {
        create("fn", "img@sha256:a");

        settle("fn", "fn-00001", new RevisionState.Failed("ContainerMissing", "no such image"));

        Service s = service("fn");
        assertThat(condition(s, "Ready").getReason()).isEqualTo("RevisionMissing");
        assertThat(condition(s, "Ready").getMessage()).isEqualTo("Configuration \"fn\" does not have any ready Revision.");
        assertThat(condition(s, "ConfigurationsReady").getReason()).isEqualTo("RevisionFailed");
        assertThat(s.getStatus().getUrl()).isNull();
    }

    @Test
    void aPinRoutesAllTrafficToTheNamedRevisionWithoutANewOneAndUnpinningFollowsTheLatestAgain() {
        runner.rule(NS, "fn", r -> new RevisionState.Ready("http://127.0.0.1:" + (1000 + Revisions.number(r)) + "/"));
        Service unpinned = create("fn", "img@sha256:a");
        update("fn", s -> s.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("img@sha256:b"));

        Service pinned = update("fn", s -> s.getSpec().setTraffic(List.of(new TrafficTargetBuilder()
                .withRevisionName("fn-00001").withLatestRevision(false).withPercent(100L).build())));

        assertThat(pinned.getStatus().getLatestCreatedRevisionName()).as("a pin is no new revision").isEqualTo("fn-00002");
        assertThat(pinned.getStatus().getTraffic()).singleElement().satisfies(t -> {
            assertThat(t.getRevisionName()).isEqualTo("fn-00001");
            assertThat(t.getLatestRevision()).isFalse();
        });
        assertThat(pinned.getStatus().getObservedGeneration()).isEqualTo(3);
        assertThat(condition(pinned, "Ready").getStatus()).isEqualTo("True");

        Service again = update("fn", s -> s.getSpec().setTraffic(unpinned.getSpec().getTraffic()));
        assertThat(again.getStatus().getTraffic()).singleElement()
                .satisfies(t -> assertThat(t.getRevisionName()).isEqualTo("fn-00002"));
        assertThat(store.list(ResourceType.REVISIONS, NS, o -> true).items()).hasSize(2);
    }

    @Test
    void withoutADomainTheUrlIsTheServingRevisionsEndpoint() {
        ServingController local = new ServingController(new StoreServingObjects(store), runner, null, Clock.systemUTC());
        store.create(ResourceType.SERVICES, NS, Json.tree(KnativeTestClient.service("fn", "img@sha256:a")));
        runner.decide(NS, "fn", "fn-00001", new RevisionState.Ready("http://127.0.0.1:4242/"));

        local.reconcile(NS, "fn");

        assertThat(service("fn").getStatus().getUrl()).isEqualTo("http://127.0.0.1:4242/");
        assertThat(service("fn").getStatus().getAddress().getUrl()).isEqualTo("http://127.0.0.1:4242/");
    }

    @Test
    void aPinToARevisionThatDoesNotExistIsRevisionMissing() {
        runner.rule(NS, "fn", r -> new RevisionState.Ready(null));
        create("fn", "img@sha256:a");

        Service s = update("fn", x -> x.getSpec().setTraffic(List.of(new TrafficTargetBuilder()
                .withRevisionName("fn-00042").withLatestRevision(false).withPercent(100L).build())));

        assertThat(condition(s, "RoutesReady").getStatus()).isEqualTo("False");
        assertThat(condition(s, "Ready").getReason()).isEqualTo("RevisionMissing");
        assertThat(condition(s, "Ready").getMessage()).isEqualTo("Revision \"fn-00042\" referenced in traffic not found.");
        List<TrafficTarget> traffic = s.getStatus().getTraffic();
        assertThat(traffic).as("the route keeps what it served").singleElement()
                .satisfies(t -> assertThat(t.getRevisionName()).isEqualTo("fn-00001"));
    }

    @Test
    void reconcilingAgainWithNothingNewWritesNothing() {
        runner.rule(NS, "fn", r -> new RevisionState.Ready(null));
        create("fn", "img@sha256:a");
        long version = store.resourceVersion();

        controller.reconcile(NS, "fn");

        assertThat(store.resourceVersion()).isEqualTo(version);
    }
}
