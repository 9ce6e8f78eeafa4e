package io.knative.lambda.cli.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;

import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.serving.v1.Revision;
import io.fabric8.knative.serving.v1.RevisionBuilder;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.ServiceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.knative.lambda.testsupport.KnativeSchemas;
import io.knative.lambda.testsupport.LocalProcess;

/**
 * A Kubernetes API for the CLI's cluster mode: fabric8's mock server in CRUD mode (with expectations for what CRUD
 * does not serve: pod logs), seeded with Knative Services, Revisions and pods of the typed model, each validated
 * against its published schema; and a kubeconfig whose context {@code mock} names it (its current context,
 * {@code elsewhere}, names a port nobody listens on), given to the CLI as fabric8 reads it ({@code -Dkubeconfig}).
 */
final class MockCluster implements AutoCloseable {

    static final String NAMESPACE = "knative-lambda";
    final KubernetesMockServer server;
    final KubernetesClient client;
    private final String previousKubeconfig;

    MockCluster(Path dir) {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
                new KubernetesMixedDispatcher(responses), false);
        server.init();
        client = server.createClient();
        Path kubeconfig = dir.resolve("kubeconfig");
        try {
            Files.writeString(kubeconfig, String.join("\n", "apiVersion: v1", "kind: Config",
                    "current-context: elsewhere",
                    "clusters:",
                    "- name: mock",
                    "  cluster: {server: 'http://" + server.getHostName() + ":" + server.getPort() + "'}",
                    "- name: elsewhere",
                    "  cluster: {server: 'http://127.0.0.1:" + LocalProcess.freePort() + "'}",
                    "users:",
                    "- name: developer",
                    "  user: {token: developer-token}",
                    "contexts:",
                    "- name: mock",
                    "  context: {cluster: mock, user: developer}",
                    "- name: elsewhere",
                    "  context: {cluster: elsewhere, user: developer}", ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        previousKubeconfig = System.getProperty(Config.KUBERNETES_KUBECONFIG_FILE);
        System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, kubeconfig.toString());
    }

    /** A Ready function {@code parser-<id>} with {@code revisions} revisions, the last serving all traffic. */
    void function(String id, int revisions) {
        String service = "parser-" + id;
        String last = service + "-0000" + revisions;
        Service ksvc = new ServiceBuilder().withNewMetadata().withName(service).withNamespace(NAMESPACE)
                .addToLabels("io.knative.lambda/function-id", id)
                .addToAnnotations("io.knative.lambda/source", "s3://functions/global/parser/" + id + ".py").endMetadata()
                .withNewSpec().withNewTemplate().withNewSpec().addNewContainer().withImage("registry.local/functions/" + id
                        + "@sha256:" + "a".repeat(64)).endContainer().endSpec().endTemplate().endSpec()
                .withNewStatus().withUrl("https://" + service + ".knative-lambda.homelab").withLatestReadyRevisionName(last)
                .withLatestCreatedRevisionName(last).addNewCondition().withType("Ready").withStatus("True").endCondition()
                .addNewTraffic().withRevisionName(last).withPercent(100L).withLatestRevision(true).endTraffic().endStatus()
                .build();
        KnativeSchemas.assertValid(ksvc);
        knative().services().inNamespace(NAMESPACE).resource(ksvc).create();
        for (int n = 1; n <= revisions; n++) {
            Revision revision = new RevisionBuilder().withNewMetadata().withName(service + "-0000" + n).withNamespace(NAMESPACE)
                    .addToLabels("serving.knative.dev/service", service)
                    .addToLabels("serving.knative.dev/configurationGeneration", String.valueOf(n)).endMetadata()
                    .withNewSpec().addNewContainer().withImage("registry.local/functions/" + id).endContainer().endSpec()
                    .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build();
            KnativeSchemas.assertValid(revision);
            knative().revisions().inNamespace(NAMESPACE).resource(revision).create();
        }
    }

    /** A running pod of {@code revision} of {@code service} whose user-container logged {@code log}. */
    void pod(String service, String revision, String name, String log) {
        Pod pod = new PodBuilder().withNewMetadata().withName(name).withNamespace(NAMESPACE)
                .addToLabels("serving.knative.dev/service", service).addToLabels("serving.knative.dev/revision", revision)
                .endMetadata().withNewSpec().addNewContainer().withName("user-container").withImage("fn").endContainer()
                .addNewContainer().withName("queue-proxy").withImage("queue").endContainer().endSpec().build();
        KnativeSchemas.assertValid(pod);
        client.pods().inNamespace(NAMESPACE).resource(pod).create();
        String path = "/api/v1/namespaces/" + NAMESPACE + "/pods/" + name + "/log?pretty=false&container=user-container";
        server.expect().get().withPath(path).andReturn(200, log).always();
        server.expect().get().withPath(path + "&follow=true").andReturn(200, log).always();
    }

    KnativeClient knative() {
        return client.adapt(KnativeClient.class);
    }

    @Override
    public void close() {
        if (previousKubeconfig == null) {
            System.clearProperty(Config.KUBERNETES_KUBECONFIG_FILE);
        } else {
            System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, previousKubeconfig);
        }
        client.close();
        server.destroy();
    }
}
