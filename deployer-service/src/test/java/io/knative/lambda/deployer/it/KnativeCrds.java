package io.knative.lambda.deployer.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.function.Consumer;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.knative.lambda.testsupport.KnativeSchemas;
import io.quarkus.test.kubernetes.client.KubernetesServer;

/**
 * Installs the upstream Knative CRDs (Service, Revision, Trigger) into the mock API server before the
 * application starts, so that it serves their status subresource as a cluster with Knative would.
 */
public class KnativeCrds implements Consumer<KubernetesServer> {

    @Override
    public void accept(KubernetesServer server) {
        install(server.getClient());
    }

    /** Creates the Service, Revision and Trigger CRDs through {@code client}. */
    public static void install(KubernetesClient client) {
        for (String[] kind : new String[][] { { "serving.knative.dev/v1", "Service" }, { "serving.knative.dev/v1", "Revision" },
                { "eventing.knative.dev/v1", "Trigger" } }) {
            try (InputStream in = Files.newInputStream(KnativeSchemas.crd(kind[0], kind[1]))) {
                CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions().load(in).item();
                client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
