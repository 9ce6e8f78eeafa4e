package io.knative.lambda.deployer.it;

import java.util.function.Consumer;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.kubernetes.client.KubernetesServer;

/**
 * Registers Knative's Service, Revision and Trigger kinds with the mock API server before the
 * application starts, so that it serves them with their status subresource as a cluster with Knative
 * would. The CRDs are minimal (names, scope, served version, status subresource, an open schema): the
 * mock server does not validate bodies; {@link SchemaCheckedCluster} checks every write against the
 * published schemas instead.
 */
public class KnativeCrds implements Consumer<KubernetesServer> {

    @Override
    public void accept(KubernetesServer server) {
        install(server.getClient());
    }

    /** Creates the Service, Revision and Trigger CRDs through {@code client}. */
    public static void install(KubernetesClient client) {
        for (CustomResourceDefinition crd : new CustomResourceDefinition[] {
                crd("serving.knative.dev", "Service", "services", "ksvc"),
                crd("serving.knative.dev", "Revision", "revisions", "rev"),
                crd("eventing.knative.dev", "Trigger", "triggers", "trigger") }) {
            client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
        }
    }

    /** A namespaced v1 kind with a status subresource, as the upstream CRD declares it. */
    static CustomResourceDefinition crd(String group, String kind, String plural, String shortName) {
        return new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName(plural + "." + group).endMetadata()
                .withNewSpec().withGroup(group).withScope("Namespaced")
                .withNewNames().withKind(kind).withListKind(kind + "List").withPlural(plural)
                .withSingular(kind.toLowerCase(java.util.Locale.ROOT)).withShortNames(shortName).endNames()
                .addNewVersion().withName("v1").withServed(true).withStorage(true)
                .withNewSubresources().withNewStatus().endStatus().endSubresources()
                .withNewSchema().withOpenAPIV3Schema(new JSONSchemaPropsBuilder().withType("object")
                        .withXKubernetesPreserveUnknownFields(true).build()).endSchema()
                .endVersion().endSpec().build();
    }
}
