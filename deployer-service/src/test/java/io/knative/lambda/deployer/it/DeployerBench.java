package io.knative.lambda.deployer.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;

import io.fabric8.knative.eventing.v1.Trigger;
import io.fabric8.knative.serving.v1.Revision;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.knative.lambda.deployer.TestBuilds;
import io.knative.lambda.deployer.core.DeployOutcome;
import io.knative.lambda.deployer.core.Deployer;
import io.knative.lambda.deployer.core.DeployerSettings;
import io.knative.lambda.deployer.core.FunctionCluster;
import io.knative.lambda.deployer.k8s.Fabric8FunctionCluster;

/**
 * Benchmark (not part of the test tiers; run with {@code -Dtest=DeployerBench}): handling time of a
 * build.completed until its Service and Trigger are applied on fabric8's mock API server (CRUD mode,
 * Knative CRDs installed, on 127.0.0.1), for a new function, a new digest and a duplicate (same digest),
 * through the real core and fabric8 adapter; and the time to the outcome with the fake Knative
 * controller answering Ready at once. Prints p50/p99 and writes them to target/deployer-bench.txt.
 */
class DeployerBench {

    private static final int WARMUP = Integer.getInteger("bench.warmup", 50);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 300);

    @Test
    void buildCompletedToObjectsAppliedOnTheMockApi() throws Exception {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getByName("127.0.0.1"), 0);
        try (KubernetesClient client = server.createClient()) {
            KnativeCrds.install(client);
            try (FakeKnativeController controller = new FakeKnativeController(client, "knative-lambda")) {
                Timed cluster = new Timed(new Fabric8FunctionCluster(client, "knative-lambda"));
                Deployer deployer = new Deployer(cluster, DeployerSettings.defaults("knative-lambda", "knative-lambda")
                        .withReadyTimeout(Duration.ofSeconds(30)), Clock.systemUTC());

                List<String> report = new ArrayList<>();
                report.add(String.format(Locale.ROOT, "%-34s %6s %9s %9s %9s %9s", "scenario (rounds)", "n",
                        "apply p50", "apply p99", "reply p50", "reply p99"));
                run(deployer, cluster, "create (new function)", i -> "new-" + i, i -> 'a', WARMUP, null);
                report.add(run(deployer, cluster, "create (new function)", i -> "bench-" + i, i -> 'a', ROUNDS,
                        DeployOutcome.Completed.class));
                report.add(run(deployer, cluster, "update (new digest)", i -> "bench-" + i, i -> 'b', ROUNDS,
                        DeployOutcome.Completed.class));
                report.add(run(deployer, cluster, "duplicate (same digest)", i -> "bench-" + i, i -> 'b', ROUNDS,
                        DeployOutcome.AlreadyReported.class));
                String text = String.join("\n", report) + "\n(ms; " + ROUNDS + " rounds each after " + WARMUP
                        + " warm-up; apply = event in -> Service and Trigger written or found current;"
                        + " reply = outcome decided and claimed)\n";
                System.out.println(text);
                write(text);
            }
        } finally {
            server.destroy();
        }
    }

    private static String run(Deployer deployer, Timed cluster, String name, java.util.function.IntFunction<String> ids,
            java.util.function.IntFunction<Character> digests, int rounds, Class<?> expected) {
        double[] apply = new double[rounds];
        double[] reply = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            String id = ids.apply(i);
            long start = System.nanoTime();
            cluster.appliedAt = 0;
            DeployOutcome outcome = deployer.deploy(TestBuilds.build(id, TestBuilds.digest(digests.apply(i))), "e-" + i);
            long end = System.nanoTime();
            if (expected != null) {
                assertThat(outcome).as(name + " round " + i).isInstanceOf(expected);
            }
            apply[i] = ((cluster.appliedAt == 0 ? end : cluster.appliedAt) - start) / 1e6;
            reply[i] = (end - start) / 1e6;
        }
        return String.format(Locale.ROOT, "%-34s %6d %9.2f %9.2f %9.2f %9.2f", name, rounds, percentile(apply, 50),
                percentile(apply, 99), percentile(reply, 50), percentile(reply, 99));
    }

    private static double percentile(double[] values, int p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static void write(String text) throws IOException {
        Path out = Path.of("target", "deployer-bench.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, text);
    }

    /** The fabric8 adapter, noting when the deployer finished applying (it starts waiting or finds the outcome). */
    static final class Timed implements FunctionCluster {
        private final FunctionCluster delegate;
        volatile long appliedAt;

        Timed(FunctionCluster delegate) {
            this.delegate = delegate;
        }

        @Override
        public java.util.Optional<Service> getService(String name) {
            return delegate.getService(name);
        }

        @Override
        public Service createService(Service service) {
            return delegate.createService(service);
        }

        @Override
        public Service updateService(Service service) {
            return delegate.updateService(service);
        }

        @Override
        public boolean deleteService(String name) {
            return delegate.deleteService(name);
        }

        @Override
        public List<Service> servicesOfFunction(String functionId) {
            return delegate.servicesOfFunction(functionId);
        }

        @Override
        public List<Service> functionServices() {
            return delegate.functionServices();
        }

        @Override
        public java.util.Optional<Trigger> getTrigger(String name) {
            return delegate.getTrigger(name);
        }

        @Override
        public Trigger createTrigger(Trigger trigger) {
            Trigger t = delegate.createTrigger(trigger);
            appliedAt = System.nanoTime();
            return t;
        }

        @Override
        public Trigger updateTrigger(Trigger trigger) {
            Trigger t = delegate.updateTrigger(trigger);
            appliedAt = System.nanoTime();
            return t;
        }

        @Override
        public boolean deleteTrigger(String name) {
            return delegate.deleteTrigger(name);
        }

        @Override
        public java.util.Optional<Revision> getRevision(String name) {
            return delegate.getRevision(name);
        }

        @Override
        public List<Revision> revisionsOf(String serviceName) {
            return delegate.revisionsOf(serviceName);
        }

        @Override
        public Awaited awaitService(String name, Predicate<Service> condition, Duration timeout) {
            if (appliedAt == 0) {
                appliedAt = System.nanoTime();
            }
            return delegate.awaitService(name, condition, timeout);
        }
    }
}
