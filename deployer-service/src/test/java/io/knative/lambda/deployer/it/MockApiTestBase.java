package io.knative.lambda.deployer.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import io.fabric8.knative.eventing.v1.Trigger;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;

/**
 * Shared by the tests against fabric8's mock API server (CRUD mode, Knative CRDs installed): starts the
 * {@link FakeKnativeController}, and after every test fails on any Service or Trigger body the deployer
 * sent on the wire that violates the upstream CRD schema ({@link SchemaCheckedCluster}).
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
    void everyWriteSatisfiesTheUpstreamCrdSchemas() {
        List<String> violations = SchemaCheckedCluster.takeViolations();
        assertThat(violations).as("writes that violate the upstream Knative CRD schemas").isEmpty();
    }

    /** The Service and Trigger writes of the test so far, each checked against its CRD. */
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
