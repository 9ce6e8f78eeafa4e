package io.knative.lambda.deployer.config;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.fabric8.kubernetes.client.Config;
import io.quarkus.kubernetes.client.KubernetesConfigCustomizer;

/**
 * With {@code klambda.http-watches}, the client watches as plain HTTP streams ({@code ?watch=true}, chunked), the
 * way kubelet watches, instead of fabric8's WebSocket upgrade first: against a server that serves watches only as
 * streams (the local cluster), each readiness wait saves the refused upgrade, its round trip and its connection.
 */
@Singleton
public class HttpStreamWatches implements KubernetesConfigCustomizer {

    @Inject
    DeployerConfig config;

    @Override
    public void customize(Config kubernetes) {
        if (config.httpWatches()) {
            kubernetes.setOnlyHttpWatches(true);
        }
    }
}
