package io.knative.lambda.cli.platform;

import java.util.function.Function;

import io.fabric8.knative.client.KnativeClient;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.knative.lambda.cli.CliException;

/**
 * A cluster's Kubernetes API through the fabric8 client, for one kube context of the kubeconfig ({@code KUBECONFIG},
 * else {@code ~/.kube/config}), with the typed Knative model. Connected on first use, so that commands that need no
 * API (and local mode) load none of it; every failure is a {@link CliException} that names the context.
 */
final class ClusterApi implements AutoCloseable {

    private final String context;
    private KubernetesClient client;

    ClusterApi(String context) {
        this.context = context;
    }

    /** Runs {@code call} with the client; {@code what} says what it does, for errors ("list the Knative Services"). */
    <T> T call(String what, Function<KubernetesClient, T> call) {
        try {
            return call.apply(client());
        } catch (KubernetesClientException e) {
            throw failure(what, e);
        }
    }

    /** The Knative view of the same client. */
    static KnativeClient knative(KubernetesClient client) {
        return client.adapt(KnativeClient.class);
    }

    private synchronized KubernetesClient client() {
        if (client == null) {
            Config config = Config.autoConfigure(context);
            if (config.getCurrentContext() == null || !context.equals(config.getCurrentContext().getName())) {
                throw CliException.badInput("no context '" + context + "' in the kubeconfig (" + kubeconfig()
                        + "): kubectl config get-contexts lists them");
            }
            client = new KubernetesClientBuilder().withConfig(config).build();
        }
        return client;
    }

    private static String kubeconfig() {
        String file = System.getProperty(Config.KUBERNETES_KUBECONFIG_FILE, System.getenv("KUBECONFIG"));
        return file == null || file.isBlank() ? "~/.kube/config" : file;
    }

    /** A failure of the API in one line: refused (with the API's message), or not reachable. */
    CliException failure(String what, KubernetesClientException e) {
        String where = client == null ? "context " + context : client.getMasterUrl() + " (context " + context + ")";
        if (e.getCode() == 401 || e.getCode() == 403) {
            return new CliException("the cluster API at " + where + " refused to " + what + " (" + e.getCode() + "): "
                    + (e.getStatus() == null ? e.getMessage() : e.getStatus().getMessage()));
        }
        if (e.getCode() > 0) {
            return new CliException("the cluster API at " + where + " answered " + e.getCode() + " to " + what + ": "
                    + (e.getStatus() == null ? e.getMessage() : e.getStatus().getMessage()));
        }
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return new CliException("cannot reach the cluster API at " + where + " to " + what + " (" + cause.getClass()
                .getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage()) + ")");
    }

    @Override
    public synchronized void close() {
        if (client != null) {
            client.close();
        }
    }
}
