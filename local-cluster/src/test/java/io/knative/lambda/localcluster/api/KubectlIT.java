package io.knative.lambda.localcluster.api;

import static io.knative.lambda.localcluster.KnativeTestClient.service;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fabric8.knative.eventing.v1.TriggerBuilder;
import io.fabric8.knative.serving.v1.Service;
import io.knative.lambda.localcluster.KnativeTestClient;
import io.knative.lambda.localcluster.LocalCluster;
import io.knative.lambda.localcluster.LocalClusterSettings;
import io.knative.lambda.localcluster.serving.InstantRevisionRunner;

/**
 * The real {@code kubectl} (from PATH, or {@code KUBECTL}; {@code make tools} installs it) against the local cluster,
 * with the kubeconfig the cluster writes: {@code get ksvc} prints Knative's columns, {@code -o yaml} the whole Service
 * with its status, revisions and triggers print as their CRDs say, {@code -w} shows a function appear and go, and a
 * write is refused with a message that says why.
 */
class KubectlIT {

    private static final String TOKEN = "kubectl-it-token-0123456789";
    private static final String KUBECTL = System.getenv().getOrDefault("KUBECTL", "kubectl");
    @TempDir
    Path dir;
    private LocalCluster cluster;
    private KnativeTestClient client;
    private final List<Process> started = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        cluster = LocalCluster.start(LocalClusterSettings.from(Map.of("KLAMBDA_LOCAL_CLUSTER_PORT", "0",
                "KLAMBDA_LOCAL_DOMAIN", "example.com", "KLAMBDA_LOCAL_KUBECONFIG", dir.resolve("kubeconfig").toString())),
                new InstantRevisionRunner(), BearerToken.of(TOKEN));
        client = new KnativeTestClient(cluster.url(), TOKEN);
        Service fn = client.knative.services().inNamespace(KnativeTestClient.NAMESPACE)
                .resource(service("parser-abc", "127.0.0.1:5000/functions/parser-abc@sha256:0123")).create();
        client.awaitSettled("parser-abc", 1, Duration.ofSeconds(10));
        client.knative.triggers().inNamespace(KnativeTestClient.NAMESPACE).resource(new TriggerBuilder().withNewMetadata()
                .withName("parser-abc").addNewOwnerReference().withApiVersion("serving.knative.dev/v1").withKind("Service")
                .withName("parser-abc").withUid(fn.getMetadata().getUid()).endOwnerReference().endMetadata()
                .withNewSpec().withBroker("knative-lambda").withNewSubscriber().withNewRef()
                .withApiVersion("serving.knative.dev/v1").withKind("Service").withName("parser-abc").endRef().endSubscriber()
                .endSpec().build()).create();
    }

    @AfterEach
    void stop() {
        started.forEach(Process::destroyForcibly);
        client.close();
        cluster.close();
    }

    /** What kubectl printed and how it exited. */
    private record Run(int exit, String out, String err) {
    }

    private ProcessBuilder kubectl(String... args) {
        List<String> command = new ArrayList<>(List.of(KUBECTL, "--cache-dir", dir.resolve("cache").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("KUBECONFIG", dir.resolve("kubeconfig").toString());
        builder.environment().put("HOME", dir.toString());
        return builder;
    }

    private Run run(String... args) throws Exception {
        Process p = kubectl(args).redirectError(dir.resolve("err.txt").toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("kubectl " + String.join(" ", args) + " ended").isTrue();
        return new Run(p.exitValue(), out, Files.readString(dir.resolve("err.txt")));
    }

    private static List<String> columns(String line) {
        return List.of(line.trim().split("\\s{2,}"));
    }

    @Test
    void theKubeconfigTheClusterWritesHasItsServerAndNamespaceAndNoCredentials() throws Exception {
        String kubeconfig = Files.readString(dir.resolve("kubeconfig"));

        assertThat(kubeconfig).contains("server: " + cluster.url()).contains("namespace: local").contains("user: {}")
                .doesNotContain(TOKEN).doesNotContain("token");
    }

    @Test
    void getKsvcPrintsKnativesColumnsWithTheServicesUrlAndReadiness() throws Exception {
        Run run = run("get", "ksvc");

        assertThat(run.exit()).as(run.err()).isZero();
        String[] lines = run.out().split("\n");
        assertThat(columns(lines[0])).containsExactly("NAME", "URL", "LATESTCREATED", "LATESTREADY", "READY", "REASON");
        assertThat(columns(lines[1])).containsExactly("parser-abc", "http://parser-abc.local.example.com", "parser-abc-00001",
                "parser-abc-00001", "True");
    }

    @Test
    void getKsvcAsYamlShowsTheWholeServiceWithItsStatusAndConditions() throws Exception {
        Run run = run("get", "ksvc", "parser-abc", "-o", "yaml");

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("kind: Service", "name: parser-abc", "image: 127.0.0.1:5000/functions/parser-abc@sha256:0123",
                "latestReadyRevisionName: parser-abc-00001", "url: http://parser-abc.local.example.com", "type: Ready",
                "type: ConfigurationsReady", "status: \"True\"");
    }

    @Test
    void revisionsAndTriggersPrintTheColumnsOfTheirCrds() throws Exception {
        Run revisions = run("get", "revisions");
        Run triggers = run("get", "triggers");
        Run everywhere = run("get", "ksvc", "--all-namespaces");

        assertThat(revisions.exit()).as(revisions.err()).isZero();
        String[] rev = revisions.out().split("\n");
        assertThat(columns(rev[0])).containsExactly("NAME", "CONFIG NAME", "GENERATION", "READY", "REASON", "ACTUAL REPLICAS",
                "DESIRED REPLICAS");
        assertThat(columns(rev[1])).containsExactly("parser-abc-00001", "parser-abc", "1", "True");
        String[] trig = triggers.out().split("\n");
        assertThat(columns(trig[0])).containsExactly("NAME", "BROKER", "SUBSCRIBER_URI", "AGE", "READY", "REASON");
        assertThat(columns(trig[1]).get(0)).isEqualTo("parser-abc");
        assertThat(columns(trig[1]).get(1)).isEqualTo("knative-lambda");
        assertThat(columns(trig[1]).get(2)).matches("\\d+s");
        assertThat(columns(everywhere.out().split("\n")[1])).startsWith("local", "parser-abc");
    }

    @Test
    void aWatchShowsAFunctionAppearAndGo() throws Exception {
        Process watch = kubectl("get", "ksvc", "--watch", "--output-watch-events").redirectErrorStream(true).start();
        started.add(watch);
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(watch.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null;) {
                    lines.add(line);
                }
            } catch (IOException ended) {
                // the watch was stopped
            }
        });
        reader.start();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> lines.stream().anyMatch(l -> l.contains("parser-abc")));

        var services = client.knative.services().inNamespace(KnativeTestClient.NAMESPACE);
        services.resource(service("parser-new", "img@sha256:1")).create();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> lines.stream().anyMatch(l -> l.startsWith("MODIFIED")
                && l.contains("parser-new") && l.contains("http://parser-new.local.example.com") && l.contains("True")));
        services.withName("parser-new").delete();

        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> lines.stream().anyMatch(l -> l.startsWith("DELETED")
                && l.contains("parser-new")));
        assertThat(columns(lines.get(0))).containsExactly("EVENT", "NAME", "URL", "LATESTCREATED", "LATESTREADY", "READY",
                "REASON");
        assertThat(lines).anyMatch(l -> l.startsWith("ADDED") && l.contains("parser-new"));
    }

    @Test
    void aWriteIsRefusedWithAMessageThatSaysHowFunctionsChange() throws Exception {
        Run delete = run("delete", "ksvc", "parser-abc");
        Run label = run("label", "ksvc", "parser-abc", "tampered=yes");

        assertThat(delete.exit()).isNotZero();
        assertThat(delete.err()).contains("Forbidden").contains("read-only").contains("klambda delete");
        assertThat(label.exit()).isNotZero();
        assertThat(label.err()).contains("Forbidden");
        Run still = run("get", "ksvc", "parser-abc", "--show-labels");
        assertThat(still.out()).contains("parser-abc").doesNotContain("tampered");
    }
}
