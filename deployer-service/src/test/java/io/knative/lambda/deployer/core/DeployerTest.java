package io.knative.lambda.deployer.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import io.knative.lambda.deployer.TestBuilds;
import io.knative.lambda.events.FunctionKey;
import io.knative.lambda.events.RollbackRequested;

/**
 * The core's decisions with an in-memory cluster (no transport, no API server; Knative played by
 * local-cluster's ServingController): the outcome record
 * under races, conflicts that persist, superseded rollouts, ReadyTimeout and asking again, rollback by
 * image, removal.
 */
class DeployerTest {

    private final InMemoryFunctionCluster cluster = new InMemoryFunctionCluster();
    private final Deployer deployer = new Deployer(cluster, DeployerSettings.defaults("knative-lambda", "knative-lambda")
            .withReadyTimeout(Duration.ofSeconds(5)), Clock.systemUTC());

    @Test
    void twoDeliveriesWaitingOnTheSameRolloutGiveOneOutcomeAndOneSilence() {
        var first = CompletableFuture.supplyAsync(() -> deployer.deploy(TestBuilds.build("race", TestBuilds.digest('a')), "e1"));
        var second = CompletableFuture.supplyAsync(() -> deployer.deploy(TestBuilds.build("race", TestBuilds.digest('a')), "e1"));
        await().atMost(Duration.ofSeconds(5)).until(() -> cluster.waiters() == 2);

        ready("parser-race", 1, "parser-race-00001");

        List<DeployOutcome> outcomes = List.of(first.join(), second.join());
        assertThat(outcomes).filteredOn(o -> o instanceof DeployOutcome.Completed).hasSize(1);
        assertThat(outcomes).filteredOn(o -> o instanceof DeployOutcome.AlreadyReported).hasSize(1);
        assertThat(cluster.getService("parser-race").orElseThrow().getMetadata().getAnnotations())
                .containsEntry(Labels.REPORTED_GENERATION, "1").containsEntry(Labels.REPORTED_EVENT, "e1");
    }

    @Test
    void conflictsThatPersistBeyondTheRetriesBecomeATransientFailure() {
        readyOnWrite("parser-stuck");
        deployer.deploy(TestBuilds.build("stuck", TestBuilds.digest('a')), "e1");
        cluster.injectConflicts(100);

        assertThatThrownBy(() -> deployer.deploy(TestBuilds.build("stuck", TestBuilds.digest('b')), "e2"))
                .isInstanceOf(ClusterUnavailableException.class).hasMessageContaining("conflicts persisted")
                .satisfies(e -> assertThat(((ClusterUnavailableException) e).status()).isEqualTo(409));
    }

    @Test
    void aRolloutSupersededDuringItsWaitAnswersWithoutAnEvent() {
        var first = CompletableFuture.supplyAsync(() -> deployer.deploy(TestBuilds.build("sup", TestBuilds.digest('a')), "e1"));
        await().atMost(Duration.ofSeconds(5)).until(() -> cluster.waiters() == 1);
        var second = CompletableFuture.supplyAsync(() -> deployer.deploy(TestBuilds.build("sup", TestBuilds.digest('b')), "e2"));

        assertThat(first.join()).isInstanceOfSatisfying(DeployOutcome.AlreadyReported.class,
                r -> assertThat(r.outcome()).isEqualTo("superseded"));
        await().atMost(Duration.ofSeconds(5)).until(() -> cluster.waiters() == 1);
        ready("parser-sup", 2, "parser-sup-00002");
        assertThat(second.join()).isInstanceOf(DeployOutcome.Completed.class);
    }

    @Test
    void readyTimeoutIsReportedOnceButADifferentRequestWaitsAgain() {
        Deployer quick = new Deployer(cluster, deployer.settings().withReadyTimeout(Duration.ofMillis(200)),
                Clock.systemUTC());

        DeployOutcome timedOut = quick.deploy(TestBuilds.build("slow", TestBuilds.digest('a')), "e1");
        DeployOutcome redelivered = quick.deploy(TestBuilds.build("slow", TestBuilds.digest('a')), "e1");
        ready("parser-slow", 1, "parser-slow-00001");
        DeployOutcome askedAgain = quick.deploy(TestBuilds.build("slow", TestBuilds.digest('a')), "e2");
        DeployOutcome askedOnceMore = quick.deploy(TestBuilds.build("slow", TestBuilds.digest('a')), "e3");

        assertThat(timedOut).isInstanceOfSatisfying(DeployOutcome.Failed.class, f -> {
            assertThat(f.event().reason()).isEqualTo("ReadyTimeout");
            assertThat(f.event().retryable()).isTrue();
        });
        assertThat(redelivered).isInstanceOf(DeployOutcome.AlreadyReported.class);
        assertThat(askedAgain).isInstanceOf(DeployOutcome.Completed.class);
        assertThat(askedOnceMore).as("a completed rollout is reported once").isInstanceOf(DeployOutcome.AlreadyReported.class);
        assertThat(cluster.serviceWrites).as("create + two outcome records, no spec write").isEqualTo(3);
    }

    @Test
    void rollbackByImagePinsTheNewestRevisionRunningIt() {
        readyOnWrite("parser-rb");
        deployer.deploy(TestBuilds.build("rb", TestBuilds.digest('a')), "e1");
        String image = TestBuilds.build("rb", TestBuilds.digest('a')).image();
        cluster.addRevision("parser-rb", "parser-rb-00001", image, "2026-11-26T10:00:00Z");
        cluster.addRevision("parser-rb", "parser-rb-00003", image, "2026-11-26T12:00:00Z");
        cluster.addRevision("parser-rb", "parser-rb-00002", "other@" + TestBuilds.digest('b'), "2026-11-26T11:00:00Z");
        // Knative (local-cluster's ServingController) routes the traffic to the pinned revision once it runs
        var outcome = CompletableFuture.supplyAsync(() -> deployer.rollback("rb", new RollbackRequested(null, image), "r1"));

        assertThat(outcome.join()).isInstanceOfSatisfying(DeployOutcome.Completed.class, c -> {
            assertThat(c.event().revision()).isEqualTo("parser-rb-00003");
            assertThat(c.event().image()).isEqualTo(image);
        });
        assertThat(KnativeObjects.pinnedRevision(cluster.getService("parser-rb").orElseThrow())).isEqualTo("parser-rb-00003");
    }

    @Test
    void aFunctionIdThatMakesNoValidNameFailsWithoutWriting() {
        DeployOutcome badId = deployer.deploy(TestBuilds.build("Bad_Id", TestBuilds.digest('a')), "e1");
        DeployOutcome tooLong = deployer.deploy(TestBuilds.build("x".repeat(60), TestBuilds.digest('a')), "e2");

        assertThat(badId).isInstanceOfSatisfying(DeployOutcome.Failed.class,
                f -> assertThat(f.event().reason()).isEqualTo("InvalidFunctionId"));
        assertThat(tooLong).isInstanceOfSatisfying(DeployOutcome.Failed.class,
                f -> assertThat(f.event().reason()).isEqualTo("FunctionNameTooLong"));
        assertThat(cluster.serviceWrites).isZero();
    }

    @Test
    void anEnvironmentThatOverridesPlatformVariablesIsRefusedWithoutWriting() {
        DeployOutcome overriding = deployer.deploy(TestBuilds.withEnvironment("env-bad", TestBuilds.digest('a'),
                java.util.Map.of("FUNCTION_HANDLER", "evil")), "e1");
        DeployOutcome port = deployer.deploy(TestBuilds.withEnvironment("env-port", TestBuilds.digest('a'),
                java.util.Map.of("PORT", "1")), "e2");

        assertThat(overriding).isInstanceOfSatisfying(DeployOutcome.Failed.class, f -> {
            assertThat(f.event().reason()).isEqualTo("InvalidEvent");
            assertThat(f.event().message()).contains("FUNCTION_HANDLER");
        });
        assertThat(port).isInstanceOfSatisfying(DeployOutcome.Failed.class,
                f -> assertThat(f.event().message()).contains("PORT"));
        assertThat(cluster.serviceWrites).isZero();
    }

    @Test
    void removalDeletesBothAndIsIdempotent() throws Exception {
        readyOnWrite("parser-gone");
        deployer.deploy(TestBuilds.build("gone", TestBuilds.digest('a')), "e1");
        FunctionKey key = FunctionKey.parse("global/parser/gone.py");

        DeployOutcome first = deployer.remove(key);
        DeployOutcome second = deployer.remove(key);

        assertThat(first).isInstanceOf(DeployOutcome.Deleted.class);
        assertThat(second).isEqualTo(first);
        assertThat(cluster.getService("parser-gone")).isEmpty();
        assertThat(cluster.getTrigger("parser-gone")).isEmpty();
    }

    @Test
    void aNewFunctionIsCreatedWithoutReadingItsServiceFirstAndAnUpdateReadsFirst() {
        readyOnWrite("parser-fresh");

        assertThat(deployer.deploy(TestBuilds.build("fresh", TestBuilds.digest('a')), "e1"))
                .isInstanceOf(DeployOutcome.Completed.class);
        assertThat(cluster.serviceReads).as("reads of a Service never seen before").isZero();

        assertThat(deployer.deploy(TestBuilds.build("fresh", TestBuilds.digest('b')), "e2"))
                .isInstanceOf(DeployOutcome.Completed.class);
        assertThat(cluster.serviceReads).as("an update reads, then writes").isEqualTo(1);
        assertThat(cluster.serviceWrites).as("create, claim, update, claim").isEqualTo(4);
    }

    @Test
    void aServiceThatExistsUnseenIsReadAfterTheRefusedCreateAndUpdated() {
        readyOnWrite("parser-elder");
        Deployer earlier = new Deployer(cluster, deployer.settings(), Clock.systemUTC()); // before a restart
        earlier.deploy(TestBuilds.build("elder", TestBuilds.digest('a')), "e1");

        DeployOutcome outcome = deployer.deploy(TestBuilds.build("elder", TestBuilds.digest('b')), "e2");

        assertThat(outcome).isInstanceOfSatisfying(DeployOutcome.Completed.class,
                c -> assertThat(c.event().revision()).isEqualTo("parser-elder-00002"));
        assertThat(cluster.getService("parser-elder").orElseThrow().getSpec().getTemplate().getSpec().getContainers().get(0)
                .getImage()).endsWith(TestBuilds.digest('b'));
    }

    @Test
    void aNameTakenBySomethingElseIsRefusedAlsoWhenCreatingFirst() {
        Deployer other = new Deployer(cluster, DeployerSettings.defaults("knative-lambda", "knative-lambda"), Clock.systemUTC());
        readyOnWrite("parser-taken");
        other.deploy(TestBuilds.build("team-a", "parser", "taken", TestBuilds.digest('a'), java.util.Map.of()), "e1");

        DeployOutcome outcome = deployer.deploy(TestBuilds.build("taken", TestBuilds.digest('b')), "e2");

        assertThat(outcome).isInstanceOfSatisfying(DeployOutcome.Failed.class,
                f -> assertThat(f.event().reason()).isEqualTo("NameTaken"));
    }

    /** Knative finds {@code revision} ready: the Service becomes Ready for {@code generation}, serving it. */
    private void ready(String name, long generation, String revision) {
        cluster.revisionReady(name, revision);
    }

    private void readyOnWrite(String name) {
        cluster.autoReady(name);
    }
}
