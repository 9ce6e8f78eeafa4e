package io.knative.lambda.deployer.k8s;

import static io.knative.lambda.deployer.TestBuilds.build;
import static io.knative.lambda.deployer.TestBuilds.digest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.knative.lambda.deployer.core.ConflictException;
import io.knative.lambda.deployer.core.DeployOutcome;
import io.knative.lambda.deployer.core.Deployer;
import io.knative.lambda.deployer.core.DeployerSettings;
import io.knative.lambda.deployer.core.FunctionCluster;
import io.knative.lambda.deployer.core.KnativeObjects;
import io.knative.lambda.events.FunctionKey;
import io.knative.lambda.events.RollbackRequested;
import io.knative.lambda.localcluster.LocalCluster;
import io.knative.lambda.localcluster.LocalClusterSettings;
import io.knative.lambda.localcluster.api.BearerToken;
import io.knative.lambda.localcluster.store.Json;
import io.knative.lambda.localcluster.store.ResourceType;
import io.knative.lambda.localcluster.serving.RevisionState;
import io.knative.lambda.localcluster.serving.ScriptedRevisionRunner;

/**
 * The deployer's real fabric8 adapter and core against a running local cluster (local mode's Kubernetes API), over
 * HTTP with the bearer token, as {@code make run} wires them: rollouts waited for through watches, a stale update
 * refused with 409, a failing revision reported with Knative's reason, a rollback pin, a removal.
 */
class LocalClusterIT {

    private static final String NAMESPACE = "local";
    private static final String TOKEN = "deployer-it-token-0123456789";

    private final ScriptedRevisionRunner runner = new ScriptedRevisionRunner();
    private LocalCluster cluster;
    private KubernetesClient client;
    private Fabric8FunctionCluster functions;
    private Deployer deployer;

    @BeforeEach
    void start() throws Exception {
        cluster = LocalCluster.start(LocalClusterSettings.from(Map.of("KLAMBDA_LOCAL_CLUSTER_PORT", "0")), runner,
                BearerToken.of(TOKEN));
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(cluster.url())
                .withOauthToken(TOKEN).withNamespace(NAMESPACE).build()).build();
        functions = new Fabric8FunctionCluster(client, NAMESPACE);
        deployer = new Deployer(functions, DeployerSettings.defaults(NAMESPACE, "knative-lambda")
                .withReadyTimeout(Duration.ofSeconds(30)), Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        client.close();
        cluster.close();
    }

    private void readyAsRun(String service) {
        runner.rule(NAMESPACE, service, r -> new RevisionState.Ready("http://127.0.0.1:9/" + r.getMetadata().getName() + "/"));
    }

    @Test
    void aBuildIsRolledOutUpdatedRolledBackAndRemoved() throws Exception {
        readyAsRun("parser-fn");

        DeployOutcome first = deployer.deploy(build("fn", digest('a')), "b1");
        DeployOutcome second = deployer.deploy(build("fn", digest('b')), "b2");
        DeployOutcome pinned = deployer.rollback("fn", new RollbackRequested("parser-fn-00001", null), "r1");

        assertThat(first).isInstanceOfSatisfying(DeployOutcome.Completed.class, c -> {
            assertThat(c.event().revision()).isEqualTo("parser-fn-00001");
            assertThat(c.event().url()).as("the URL of the process serving it").isEqualTo("http://127.0.0.1:9/parser-fn-00001/");
        });
        assertThat(second).isInstanceOfSatisfying(DeployOutcome.Completed.class,
                c -> assertThat(c.event().revision()).isEqualTo("parser-fn-00002"));
        assertThat(pinned).isInstanceOfSatisfying(DeployOutcome.Completed.class, c -> {
            assertThat(c.event().revision()).isEqualTo("parser-fn-00001");
            assertThat(c.event().image()).endsWith(digest('a'));
        });
        Service service = functions.getService("parser-fn").orElseThrow();
        assertThat(KnativeObjects.pinnedRevision(service)).isEqualTo("parser-fn-00001");
        assertThat(service.getStatus().getTraffic()).singleElement()
                .satisfies(t -> assertThat(t.getRevisionName()).isEqualTo("parser-fn-00001"));
        assertThat(functions.revisionsOf("parser-fn")).hasSize(2);
        assertThat(functions.getTrigger("parser-fn")).isPresent();

        assertThat(deployer.remove(FunctionKey.parse("global/parser/fn"))).isInstanceOf(DeployOutcome.Deleted.class);

        assertThat(functions.getService("parser-fn")).isEmpty();
        assertThat(functions.getTrigger("parser-fn")).isEmpty();
        assertThat(functions.revisionsOf("parser-fn")).as("deleted with their Service").isEmpty();
    }

    @Test
    void anUpdateWithAStaleResourceVersionIsAConflict() {
        readyAsRun("parser-stale");
        deployer.deploy(build("stale", digest('a')), "b1");
        Service read = functions.getService("parser-stale").orElseThrow();
        deployer.deploy(build("stale", digest('b')), "b2");

        read.getMetadata().getLabels().put("late", "write");

        assertThatThrownBy(() -> functions.updateService(read)).isInstanceOf(ConflictException.class)
                .hasMessageContaining("parser-stale");
    }

    @Test
    void aRevisionThatCannotStartIsDeployFailedWithKnativesReasonAndTheWaitEndsThroughTheWatch() {
        runner.rule(NAMESPACE, "parser-broken", r -> new RevisionState.Failed("ContainerMissing",
                "cannot pull " + r.getSpec().getContainers().get(0).getImage()));

        DeployOutcome outcome = deployer.deploy(build("broken", digest('a')), "b1");

        assertThat(outcome).isInstanceOfSatisfying(DeployOutcome.Failed.class, f -> {
            assertThat(f.event().reason()).isEqualTo("RevisionFailed");
            assertThat(f.event().message()).startsWith("Revision \"parser-broken-00001\" failed with message: cannot pull ");
            assertThat(f.event().retryable()).isFalse();
        });
    }

    @Test
    void aRevisionThatBecomesReadyLaterIsWaitedFor() throws Exception {
        var rollout = java.util.concurrent.CompletableFuture.supplyAsync(() -> deployer.deploy(build("late", digest('a')),
                "b1"));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> functions.getRevision("parser-late-00001").isPresent());
        assertThat(rollout).isNotDone();

        runner.decide(NAMESPACE, "parser-late", "parser-late-00001", new RevisionState.Ready("http://127.0.0.1:9/late/"));

        assertThat(rollout.get(20, java.util.concurrent.TimeUnit.SECONDS)).isInstanceOf(DeployOutcome.Completed.class);
    }

    @Test
    void aWaitFromAVersionTheClusterNoLongerKeepsStartsOverFromAList() {
        readyAsRun("parser-old");
        assertThat(deployer.deploy(build("old", digest('a')), "b1")).isInstanceOf(DeployOutcome.Completed.class);
        Service stale = functions.getService("parser-old").orElseThrow();
        stale.setStatus(null); // as the deployer held it right after its write: not Ready yet
        for (int i = 0; i <= 10_000; i++) { // more changes than the cluster keeps for watches
            cluster.store().create(ResourceType.TRIGGERS, NAMESPACE, (ObjectNode) Json.MAPPER.valueToTree(Map.of(
                    "apiVersion", "eventing.knative.dev/v1", "kind", "Trigger",
                    "metadata", Map.of("name", "churn-" + i), "spec", Map.of("broker", "default"))));
        }

        FunctionCluster.Awaited awaited = functions.awaitService(stale,
                s -> s != null && s.getStatus() != null && s.getStatus().getUrl() != null, Duration.ofSeconds(20));

        assertThat(awaited.met()).as("410 Gone on the watch, then the current state from a list").isTrue();
        assertThat(awaited.service().getStatus().getUrl()).isEqualTo("http://127.0.0.1:9/parser-old-00001/");
    }
}
