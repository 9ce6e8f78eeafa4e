package io.knative.lambda.localcluster.api;

import static io.knative.lambda.localcluster.KnativeTestClient.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.knative.eventing.v1.Trigger;
import io.fabric8.knative.eventing.v1.TriggerBuilder;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.knative.lambda.localcluster.KnativeTestClient;
import io.knative.lambda.localcluster.LocalCluster;
import io.knative.lambda.localcluster.LocalClusterSettings;
import io.knative.lambda.localcluster.serving.InstantRevisionRunner;
import io.knative.lambda.localcluster.store.Json;

/**
 * The local cluster's Kubernetes API through the real fabric8 client (as the deployer calls it) and plain HTTP (as
 * kubectl and scripts do): CRUD with the API server's answers, watches, discovery, and writes only with the token.
 */
class LocalClusterApiIT {

    private static final String TOKEN = "it-token-abcdefghijklmnop";
    private LocalCluster cluster;
    private KnativeTestClient client;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        cluster = LocalCluster.start(LocalClusterSettings.from(Map.of("KLAMBDA_LOCAL_CLUSTER_PORT", "0",
                "KLAMBDA_LOCAL_DOMAIN", "example.com")), new InstantRevisionRunner(), BearerToken.of(TOKEN));
        client = new KnativeTestClient(cluster.url(), TOKEN);
    }

    @AfterEach
    void stop() {
        client.close();
        cluster.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(cluster.url() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aServiceIsCreatedReadListedByLabelAndBecomesReadyThroughAWatch() {
        var services = client.knative.services().inNamespace(KnativeTestClient.NAMESPACE);
        Service created = services.resource(service("fn", "img@sha256:a")).create();
        services.resource(service("other", "img@sha256:b")).create();

        Service ready = client.awaitSettled("fn", 1, Duration.ofSeconds(10));

        assertThat(created.getMetadata().getUid()).isNotBlank();
        assertThat(created.getMetadata().getGeneration()).isEqualTo(1L);
        assertThat(KnativeTestClient.condition(ready, "Ready").getStatus()).isEqualTo("True");
        assertThat(ready.getStatus().getUrl()).isEqualTo("http://fn.local.example.com");
        assertThat(services.withLabel("io.knative.lambda/function-id", "fn").list().getItems()).singleElement()
                .satisfies(s -> assertThat(s.getMetadata().getName()).isEqualTo("fn"));
        assertThat(client.knative.revisions().inNamespace(KnativeTestClient.NAMESPACE)
                .withLabel("serving.knative.dev/service", "fn").list().getItems()).singleElement()
                .satisfies(r -> assertThat(r.getMetadata().getName()).isEqualTo("fn-00001"));
        assertThat(services.withName("missing").get()).isNull();
    }

    @Test
    void aStaleUpdateAndASecondCreateAreConflictsWithKubernetesReasons() {
        var services = client.knative.services().inNamespace(KnativeTestClient.NAMESPACE);
        Service created = services.resource(service("fn", "img@sha256:a")).create();
        Service changed = services.withName("fn").get();
        changed.getMetadata().getLabels().put("v", "2");
        services.resource(changed).update();

        created.getMetadata().getLabels().put("v", "stale");
        assertThatThrownBy(() -> services.resource(created).update())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(409);
                    assertThat(e.getStatus().getReason()).isEqualTo("Conflict");
                    assertThat(e.getStatus().getMessage()).contains("the object has been modified");
                });
        assertThatThrownBy(() -> services.resource(service("fn", "img@sha256:b")).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(409);
                    assertThat(e.getStatus().getReason()).isEqualTo("AlreadyExists");
                });
        assertThatThrownBy(() -> services.resource(service("Not_A_Name", "img@sha256:b")).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));
    }

    @Test
    void deletingAServiceDeletesItsRevisionsAndATriggerItOwns() {
        var services = client.knative.services().inNamespace(KnativeTestClient.NAMESPACE);
        Service fn = services.resource(service("fn", "img@sha256:a")).create();
        client.awaitSettled("fn", 1, Duration.ofSeconds(10));
        Trigger trigger = new TriggerBuilder().withNewMetadata().withName("fn").addNewOwnerReference()
                .withApiVersion("serving.knative.dev/v1").withKind("Service").withName("fn")
                .withUid(fn.getMetadata().getUid()).endOwnerReference().endMetadata()
                .withNewSpec().withBroker("default").withNewSubscriber().withNewRef().withApiVersion("serving.knative.dev/v1")
                .withKind("Service").withName("fn").endRef().endSubscriber().endSpec().build();
        var triggers = client.knative.triggers().inNamespace(KnativeTestClient.NAMESPACE);
        triggers.resource(trigger).create();
        Trigger stored = triggers.withName("fn").get();
        stored.getSpec().setBroker("knative-lambda");
        assertThat(triggers.resource(stored).update().getSpec().getBroker()).isEqualTo("knative-lambda");

        assertThat(services.withName("fn").delete()).isNotEmpty();

        assertThat(services.withName("fn").get()).isNull();
        assertThat(client.knative.revisions().inNamespace(KnativeTestClient.NAMESPACE).withName("fn-00001").get()).isNull();
        assertThat(triggers.withName("fn").get()).isNull();
        assertThat(services.withName("fn").delete()).as("already gone").isEmpty();
    }

    @Test
    void writesWithAWrongTokenAreUnauthorizedWithoutOneForbiddenAndReadsAreOpen() throws Exception {
        client.knative.services().inNamespace(KnativeTestClient.NAMESPACE).resource(service("fn", "img@sha256:a")).create();
        String body = Json.MAPPER.writeValueAsString(service("intruder", "img@sha256:x"));

        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(cluster.url()
                + "/apis/serving.knative.dev/v1/namespaces/local/services")).header("Content-Type", "application/json")
                .header("Authorization", "Bearer wrong").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> deleted = http.send(HttpRequest.newBuilder(URI.create(cluster.url()
                + "/apis/serving.knative.dev/v1/namespaces/local/services/fn")).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> read = get("/apis/serving.knative.dev/v1/namespaces/local/services/fn");

        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(Json.MAPPER.readTree(refused.body()).path("reason").asText()).isEqualTo("Unauthorized");
        assertThat(deleted.statusCode()).isEqualTo(403);
        assertThat(Json.MAPPER.readTree(deleted.body()).path("reason").asText()).isEqualTo("Forbidden");
        assertThat(Json.MAPPER.readTree(deleted.body()).path("message").asText()).startsWith(
                "services.serving.knative.dev \"fn\" is forbidden").contains("read-only");
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(get("/apis/serving.knative.dev/v1/namespaces/local/services/intruder").statusCode()).isEqualTo(404);
    }

    @Test
    void errorsAreKubernetesStatusObjects() throws Exception {
        HttpResponse<String> missing = get("/apis/serving.knative.dev/v1/namespaces/local/services/nope");
        HttpResponse<String> badSelector = get("/apis/serving.knative.dev/v1/namespaces/local/services?labelSelector=a%3D(");
        HttpResponse<String> unknown = get("/apis/apps/v1/namespaces/local/deployments");

        JsonNode status = Json.MAPPER.readTree(missing.body());
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(status.path("kind").asText()).isEqualTo("Status");
        assertThat(status.path("reason").asText()).isEqualTo("NotFound");
        assertThat(status.path("message").asText()).isEqualTo("services.serving.knative.dev \"nope\" not found");
        assertThat(status.path("details").path("name").asText()).isEqualTo("nope");
        assertThat(badSelector.statusCode()).isEqualTo(400);
        assertThat(unknown.statusCode()).isEqualTo(404);
    }

    @Test
    void discoveryNamesTheServedResourcesWithTheirShortNames() throws Exception {
        JsonNode serving = Json.MAPPER.readTree(get("/apis/serving.knative.dev/v1").body());
        JsonNode groups = Json.MAPPER.readTree(get("/apis").body());

        assertThat(serving.path("kind").asText()).isEqualTo("APIResourceList");
        assertThat(serving.path("resources").findValuesAsText("name")).contains("services", "revisions", "services/status");
        assertThat(serving.path("resources").get(0).path("shortNames").toString()).contains("ksvc");
        assertThat(groups.path("groups").findValuesAsText("name")).containsExactly("serving.knative.dev", "eventing.knative.dev");
        assertThat(get("/version").statusCode()).isEqualTo(200);
        assertThat(get("/api").statusCode()).isEqualTo(200);
    }

    @Test
    void aWatchStreamsChangesAsChunkedJsonLinesFromAResourceVersion() throws Exception {
        var services = client.knative.services().inNamespace(KnativeTestClient.NAMESPACE);
        services.resource(service("before", "img@sha256:a")).create();
        String from = services.list().getMetadata().getResourceVersion();
        HttpResponse<java.io.InputStream> stream = http.send(HttpRequest.newBuilder(URI.create(cluster.url()
                + "/apis/serving.knative.dev/v1/namespaces/local/services?watch=true&resourceVersion=" + from
                + "&fieldSelector=metadata.name%3Dafter")).build(), HttpResponse.BodyHandlers.ofInputStream());
        BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8));

        services.resource(service("after", "img@sha256:b")).create();
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
            try {
                return lines.readLine();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });

        JsonNode event = Json.MAPPER.readTree(first.get(10, TimeUnit.SECONDS));
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(event.path("type").asText()).isEqualTo("ADDED");
        assertThat(event.path("object").path("metadata").path("name").asText()).isEqualTo("after");
        stream.body().close();
    }

    @Test
    void theTokenFileIsMadeOnceAndOnlyItsOwnerCanReadIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("run/token");

        BearerToken first = BearerToken.inFile(file);
        String token = Files.readString(file).trim();
        BearerToken.inFile(file);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(token).hasSizeGreaterThanOrEqualTo(40);
        assertThat(Files.readString(file).trim()).as("reused on the next start").isEqualTo(token);
        assertThat(first.allows("Bearer " + token)).isTrue();
        assertThat(first.allows("Bearer " + token + "x")).isFalse();
        assertThat(first.allows(null)).isFalse();
    }
}
