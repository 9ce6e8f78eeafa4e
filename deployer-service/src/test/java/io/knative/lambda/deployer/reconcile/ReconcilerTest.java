package io.knative.lambda.deployer.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.knative.lambda.deployer.TestBuilds;
import io.knative.lambda.deployer.core.DeployOutcome;
import io.knative.lambda.deployer.core.Deployer;
import io.knative.lambda.deployer.core.DeployerSettings;
import io.knative.lambda.deployer.core.InMemoryFunctionCluster;
import io.knative.lambda.deployer.core.Removals;
import io.knative.lambda.events.BuildRequested;
import io.knative.lambda.events.FunctionDeleted;

/**
 * The reconciler's decisions on an in-memory bucket and cluster (local-cluster's store and Serving controller): what
 * is missing or stale is asked for once it is older than the grace, what is gone is removed once a look confirms it,
 * keys that name no function are left alone, work is bounded per pass, and a failing listing decides nothing.
 */
class ReconcilerTest {

    private static final String BUCKET = "functions";
    private final MemoryBucket bucket = new MemoryBucket();
    private final InMemoryFunctionCluster cluster = new InMemoryFunctionCluster();
    private final Deployer deployer = new Deployer(cluster, DeployerSettings.defaults("knative-lambda", "knative-lambda")
            .withReadyTimeout(Duration.ofSeconds(5)), Clock.systemUTC());
    private final List<Published> published = new ArrayList<>();
    private Instant now = Instant.parse("2026-06-01T12:00:00Z");
    private final Reconciler reconciler = reconciler(3, 2);

    private record Published(String type, String id, String subject, Object data) {
    }

    private Reconciler reconciler(int maxActions, int pageSize) {
        Clock clock = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now;
            }
        };
        return new Reconciler(bucket, cluster, new Removals(bucket, deployer), (type, id, subject, data) -> {
            published.add(new Published(type, id, subject, data));
            return null;
        }, new ReconcileSettings(BUCKET, Duration.ofMinutes(5), Duration.ofMinutes(1), pageSize, maxActions,
                Duration.ofHours(1)), clock);
    }

    private void deployed(String id, String eTag) {
        cluster.autoReady("parser-" + id);
        DeployOutcome outcome = deployer.deploy(TestBuilds.withETag(TestBuilds.build(id, TestBuilds.digest('a')), eTag),
                "b-" + id);
        assertThat(outcome).isInstanceOf(DeployOutcome.Completed.class);
    }

    private Instant ago(Duration d) {
        return now.minus(d);
    }

    private List<Published> requests() {
        return published.stream().filter(p -> p.type().equals("io.knative.lambda.build.requested")).toList();
    }

    @Test
    void anObjectWhoseNotificationWasLostIsAskedForOnceItIsOlderThanTheGrace() {
        bucket.put("global/parser/lost", "e1", ago(Duration.ofMinutes(10)));
        bucket.put("global/parser/fresh", "e2", ago(Duration.ofSeconds(10)));

        ReconcileReport report = reconciler.run();

        assertThat(requests()).singleElement().satisfies(p -> {
            assertThat(p.subject()).isEqualTo("lost");
            assertThat(p.id()).startsWith("reconcile-");
            assertThat(p.data()).isEqualTo(new BuildRequested(BUCKET, "global/parser/lost", null));
        });
        assertThat(report.young()).as("the fresh upload is left to its notification").isEqualTo(1);
        assertThat(report.buildsRequested()).isEqualTo(1);
    }

    @Test
    void aFunctionDeployedFromTheSameETagIsLeftAloneAndOneFromAnotherIsRebuilt() {
        deployed("same", "e1");
        deployed("stale", "old");
        bucket.put("global/parser/same", "e1", ago(Duration.ofHours(1)));
        bucket.put("global/parser/stale", "new", ago(Duration.ofHours(1)));

        ReconcileReport report = reconciler.run();

        assertThat(requests()).extracting(Published::subject).containsExactly("stale");
        assertThat(report.upToDate()).isEqualTo(1);
    }

    @Test
    void theSameObjectIsAskedForWithTheSameIdAndNotBeforeItsBackoffHasPassed() {
        bucket.put("global/parser/broken", "e1", ago(Duration.ofHours(1)));

        reconciler.run();
        reconciler.run();
        now = now.plus(Duration.ofMinutes(5));
        reconciler.run();
        now = now.plus(Duration.ofMinutes(5));
        reconciler.run();

        assertThat(requests()).as("at once, after one period, not after the next (two periods now)").hasSize(2);
        assertThat(requests()).extracting(Published::id).containsOnly(requests().get(0).id());
    }

    @Test
    void keysThatNameNoFunctionAreNeverActedOn() {
        bucket.put("README.md", "e1", ago(Duration.ofHours(1)));
        bucket.put("global/parser/Bad_Name", "e2", ago(Duration.ofHours(1)));
        bucket.put("global/parser/bad%zz", "e3", ago(Duration.ofHours(1)));

        ReconcileReport report = reconciler.run();

        assertThat(published).isEmpty();
        assertThat(report.invalid()).isEqualTo(3);
    }

    @Test
    void workIsBoundedPerPassOldestFirstOverEveryPageAndTheRestFollowsNextPass() {
        for (int i = 0; i < 5; i++) {
            bucket.put("global/parser/f" + i, "e" + i, ago(Duration.ofMinutes(50 - i)));
        }

        ReconcileReport first = reconciler.run();
        assertThat(bucket.lists).as("five objects in pages of two").isEqualTo(3);
        assertThat(requests()).extracting(Published::subject).containsExactly("f0", "f1", "f2");
        assertThat(first.deferred()).isEqualTo(2);

        reconciler.run();

        assertThat(requests()).extracting(Published::subject).containsExactly("f0", "f1", "f2", "f3", "f4");
    }

    @Test
    void aFunctionWhoseObjectIsGoneIsRemovedAndAnnouncedButNotOneTheBucketStillHas() {
        deployed("gone", "e1");
        deployed("racing", "e2");
        bucket.put("global/parser/kept", "e3", ago(Duration.ofHours(1)));
        // written between the listing and the look: not listed, but there
        bucket.put("global/parser/racing", "e2", ago(Duration.ofHours(1)));
        bucket.hideFromListing("global/parser/racing");

        ReconcileReport report = reconciler.run();

        assertThat(report.removed()).isEqualTo(1);
        assertThat(cluster.getService("parser-gone")).isEmpty();
        assertThat(cluster.getService("parser-racing")).isPresent();
        assertThat(published).filteredOn(p -> p.type().equals("io.knative.lambda.function.deleted")).singleElement()
                .satisfies(p -> assertThat(p.data()).isEqualTo(new FunctionDeleted("gone", "parser-gone", "knative-lambda")));
    }

    @Test
    void aListingThatFailsDecidesNothing() {
        deployed("kept", "e1");
        bucket.down = true;

        ReconcileReport report = reconciler.run();

        assertThat(report.error()).contains("connection refused");
        assertThat(cluster.getService("parser-kept")).isPresent();
        assertThat(published).isEmpty();
    }

    @Test
    void aServiceOfAnotherBucketIsLeftAlone() {
        cluster.autoReady("parser-elsewhere");
        deployer.deploy(new io.knative.lambda.events.BuildCompleted("elsewhere", "parser", "global", "python",
                TestBuilds.REPO + "/parser-elsewhere@" + TestBuilds.digest('a'), TestBuilds.digest('a'), "sha256:1",
                "other-bucket", "global/parser/elsewhere", 1, java.util.Map.of(), java.util.Map.of(), java.util.List.of(), "e1"), "b1");

        reconciler.run();

        assertThat(cluster.getService("parser-elsewhere")).isPresent();
        assertThat(bucket.heads()).isEmpty();
    }
}
