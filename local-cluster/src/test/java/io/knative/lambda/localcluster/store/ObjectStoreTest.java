package io.knative.lambda.localcluster.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The store keeps the API server's promises: versions, conflicts, generation, status subresource, selectors, cascade, watch. */
class ObjectStoreTest {

    private final ObjectStore store = new ObjectStore(Clock.systemUTC());

    static ObjectNode service(String name, String image, String... labels) {
        ObjectNode s = Json.MAPPER.createObjectNode();
        s.put("apiVersion", "serving.knative.dev/v1");
        s.put("kind", "Service");
        ObjectNode metadata = s.putObject("metadata");
        metadata.put("name", name);
        ObjectNode l = metadata.putObject("labels");
        for (int i = 0; i + 1 < labels.length; i += 2) {
            l.put(labels[i], labels[i + 1]);
        }
        s.putObject("spec").putObject("template").putObject("spec").putArray("containers").addObject().put("image", image);
        return s;
    }

    @Test
    void theServerSetsIdentityVersionAndGenerationAndIgnoresAStatusSentOnCreate() {
        ObjectNode sent = service("fn", "img@sha256:a");
        sent.putObject("status").put("observedGeneration", 9);

        ObjectNode created = store.create(ResourceType.SERVICES, "ns", sent);

        assertThat(created.path("metadata").path("uid").asText()).hasSize(36);
        assertThat(created.path("metadata").path("creationTimestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(created.path("metadata").path("resourceVersion").asText()).isEqualTo("1");
        assertThat(created.path("metadata").path("generation").asLong()).isEqualTo(1);
        assertThat(created.path("metadata").path("namespace").asText()).isEqualTo("ns");
        assertThat(created.has("status")).isFalse();
    }

    @Test
    void aSecondCreateOfTheSameNameIsAlreadyExists() {
        store.create(ResourceType.SERVICES, "ns", service("fn", "a"));

        assertThatThrownBy(() -> store.create(ResourceType.SERVICES, "ns", service("fn", "b")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(409);
                    assertThat(e.reason()).isEqualTo("AlreadyExists");
                    assertThat(e.getMessage()).isEqualTo("services.serving.knative.dev \"fn\" already exists");
                });
        assertThat(store.create(ResourceType.SERVICES, "other", service("fn", "b"))).as("another namespace").isNotNull();
    }

    @Test
    void anUpdateWithAStaleResourceVersionIsAConflictAndOneWithoutIsInvalid() {
        ObjectNode v1 = store.create(ResourceType.SERVICES, "ns", service("fn", "a"));
        ObjectNode change = v1.deepCopy();
        change.with("metadata").putObject("annotations").put("x", "1");
        store.update(ResourceType.SERVICES, "ns", "fn", change);

        ObjectNode stale = v1.deepCopy();
        stale.with("metadata").putObject("annotations").put("x", "2");
        assertThatThrownBy(() -> store.update(ResourceType.SERVICES, "ns", "fn", stale))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.reason()).isEqualTo("Conflict"));
        stale.with("metadata").remove("resourceVersion");
        assertThatThrownBy(() -> store.update(ResourceType.SERVICES, "ns", "fn", stale))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(422));
        assertThatThrownBy(() -> store.update(ResourceType.SERVICES, "ns", "nope", service("nope", "a")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(404));
    }

    @Test
    void generationCountsSpecChangesOnlyAndStatusIsASubresource() {
        ObjectNode v1 = store.create(ResourceType.SERVICES, "ns", service("fn", "a"));
        ObjectNode status = v1.deepCopy();
        status.putObject("status").put("observedGeneration", 1);
        ObjectNode v2 = store.updateStatus(ResourceType.SERVICES, "ns", "fn", status);

        ObjectNode labelled = v2.deepCopy();
        labelled.with("metadata").with("labels").put("l", "1");
        labelled.remove("status");
        ObjectNode v3 = store.update(ResourceType.SERVICES, "ns", "fn", labelled);
        ObjectNode respec = v3.deepCopy();
        ((ObjectNode) respec.path("spec").path("template").path("spec").path("containers").get(0)).put("image", "b");
        ObjectNode v4 = store.update(ResourceType.SERVICES, "ns", "fn", respec);

        assertThat(v3.path("metadata").path("generation").asLong()).as("labels are metadata").isEqualTo(1);
        assertThat(v3.path("status").path("observedGeneration").asLong()).as("an update keeps the status").isEqualTo(1);
        assertThat(v4.path("metadata").path("generation").asLong()).isEqualTo(2);
        assertThat(v4.path("metadata").path("resourceVersion").asLong()).isGreaterThan(v3.path("metadata").path("resourceVersion").asLong());
        assertThat(store.update(ResourceType.SERVICES, "ns", "fn", v4).path("metadata").path("resourceVersion"))
                .as("an update that changes nothing is no new version").isEqualTo(v4.path("metadata").path("resourceVersion"));
    }

    @Test
    void labelAndFieldSelectorsChooseWhatIsListed() {
        store.create(ResourceType.SERVICES, "ns", service("a", "i", "app", "x", "tier", "web"));
        store.create(ResourceType.SERVICES, "ns", service("b", "i", "app", "y"));
        store.create(ResourceType.SERVICES, "ns", service("c", "i"));

        assertThat(names(Selector.labels("app=x"))).containsExactly("a");
        assertThat(names(Selector.labels("app!=x"))).containsExactly("b", "c");
        assertThat(names(Selector.labels("app in (x, y),tier"))).containsExactly("a");
        assertThat(names(Selector.labels("app notin (x),!tier"))).containsExactly("b", "c");
        assertThat(names(Selector.labels("!app"))).containsExactly("c");
        assertThat(names(Selector.fields("metadata.name=b"))).containsExactly("b");
        assertThatThrownBy(() -> Selector.fields("spec.x=1")).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.code()).isEqualTo(400));
        assertThatThrownBy(() -> Selector.labels("a=(")).isInstanceOf(ApiException.class);
    }

    @Test
    void deletingAnOwnerDeletesWhatItOwns() {
        ObjectNode owner = store.create(ResourceType.SERVICES, "ns", service("fn", "a"));
        ObjectNode revision = Json.MAPPER.createObjectNode();
        revision.putObject("metadata").put("name", "fn-00001").putArray("ownerReferences").addObject()
                .put("uid", owner.path("metadata").path("uid").asText()).put("name", "fn").put("kind", "Service")
                .put("apiVersion", "serving.knative.dev/v1");
        store.create(ResourceType.REVISIONS, "ns", revision);

        assertThat(store.delete(ResourceType.SERVICES, "ns", "fn")).isPresent();

        assertThat(store.get(ResourceType.REVISIONS, "ns", "fn-00001")).isEmpty();
        assertThat(store.delete(ResourceType.SERVICES, "ns", "fn")).as("already gone").isEmpty();
    }

    @Test
    void aWatchResumesFromAVersionAndOneTooOldIsExpired() {
        store.create(ResourceType.SERVICES, "ns", service("a", "i"));
        long after = store.resourceVersion();
        store.create(ResourceType.SERVICES, "ns", service("b", "i"));
        store.delete(ResourceType.SERVICES, "ns", "a");
        List<String> seen = new ArrayList<>();

        try (ObjectStore.Subscription s = store.subscribe(after, e -> seen.add(e.type() + " " + e.name()))) {
            store.create(ResourceType.SERVICES, "ns", service("c", "i"));
        }
        store.create(ResourceType.SERVICES, "ns", service("d", "i"));

        assertThat(seen).containsExactly("ADDED b", "DELETED a", "ADDED c");
        for (int i = 0; i < ChangeLog.HISTORY + 1; i++) {
            store.delete(ResourceType.SERVICES, "ns", "d");
            store.create(ResourceType.SERVICES, "ns", service("d", "i"));
        }
        assertThatThrownBy(() -> store.subscribe(after, e -> { })).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.code()).isEqualTo(410));
    }

    @Test
    void badNamesAndServicesWithoutAnImageAreInvalid() {
        assertThatThrownBy(() -> store.create(ResourceType.SERVICES, "ns", service("Bad_Name", "i")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(422));
        assertThatThrownBy(() -> store.create(ResourceType.SERVICES, "ns", service("x".repeat(64), "i")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(422));
        assertThatThrownBy(() -> store.create(ResourceType.SERVICES, "ns", service("fn", "")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getMessage()).contains("image"));
        assertThatThrownBy(() -> store.create(ResourceType.SERVICES, "NS", service("fn", "i")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(400));
        ObjectNode elsewhere = service("fn", "i");
        elsewhere.with("metadata").put("namespace", "other");
        assertThatThrownBy(() -> store.create(ResourceType.SERVICES, "ns", elsewhere))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(400));
    }

    private List<String> names(Selector selector) {
        return store.list(ResourceType.SERVICES, "ns", selector).items().stream()
                .map(o -> o.path("metadata").path("name").asText()).toList();
    }
}
