package io.knative.lambda.deployer.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import io.fabric8.knative.eventing.v1.Trigger;
import io.fabric8.knative.serving.v1.Revision;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.knative.lambda.testsupport.KnativeSchemas;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;

/**
 * Shared by the tests against fabric8's mock API server (CRUD mode, Knative CRDs installed): starts the
 * {@link FakeKnativeController}, and after every test fails on any Service or Trigger body the deployer
 * sent on the wire that violates its published schema ({@link SchemaCheckedCluster}), and on any Revision
 * in the mock server that does.
 */
abstract class MockApiTestBase {

    static final String NAMESPACE = "knative-lambda";
    private static FakeKnativeController controller;

    @KubernetesTestServer
    KubernetesServer mockServer;

    @BeforeEach
    void startController() {
        synchronized (MockApiTestBase.class) {
            if (controller == null) {
                controller = new FakeKnativeController(mockServer.getClient(), NAMESPACE);
            }
        }
        SchemaCheckedCluster.takeViolations();
        SchemaCheckedCluster.takeWrites();
    }

    @AfterEach
    void everyWriteSatisfiesThePublishedSchemas() {
        List<String> violations = SchemaCheckedCluster.takeViolations();
        assertThat(violations).as("writes that violate the published Knative schemas").isEmpty();
        // what the deployer reads back must be real Revisions too, not objects only the fake controller would make
        for (Revision revision : client().resources(Revision.class).inNamespace(NAMESPACE).list().getItems()) {
            String service = revision.getMetadata().getLabels().getOrDefault("serving.knative.dev/service", "");
            if (!SchemaCheckedCluster.REFUSED_SERVICES.contains(service)) {
                KnativeSchemas.assertValid(revision);
            }
        }
    }

    /** The Service and Trigger writes of the test so far, each checked against its published schema. */
    protected List<String> checkedWrites() {
        return List.copyOf(SchemaCheckedCluster.WRITES);
    }

    protected FakeKnativeController controller() {
        return controller;
    }

    protected KubernetesClient client() {
        return mockServer.getClient();
    }

    protected Service service(String name) {
        return client().resources(Service.class).inNamespace(NAMESPACE).withName(name).get();
    }

    protected Trigger trigger(String name) {
        return client().resources(Trigger.class).inNamespace(NAMESPACE).withName(name).get();
    }
}
