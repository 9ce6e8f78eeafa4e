package io.knative.lambda.localcluster;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import io.fabric8.knative.client.KnativeClient;
import io.fabric8.knative.pkg.apis.Condition;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.ServiceBuilder;
import io.fabric8.knative.serving.v1.TrafficTargetBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/** The real fabric8 client on a local cluster's API, and the Services and waits the tests use. */
public final class KnativeTestClient implements AutoCloseable {

    public static final String NAMESPACE = "local";

    private final KubernetesClient client;
    public final KnativeClient knative;

    public KnativeTestClient(String url, String token) {
        this.client = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(url).withOauthToken(token)
                .withNamespace(NAMESPACE).withRequestRetryBackoffLimit(0).build()).build();
        this.knative = client.adapt(KnativeClient.class);
    }

    /** A Service running {@code image}, all traffic to the latest revision. */
    public static Service service(String name, String image) {
        return new ServiceBuilder().withNewMetadata().withName(name).withNamespace(NAMESPACE)
                .withLabels(Map.of("io.knative.lambda/function-id", name)).endMetadata()
                .withNewSpec().withNewTemplate().withNewSpec().addNewContainer().withImage(image).endContainer().endSpec()
                .endTemplate().withTraffic(new TrafficTargetBuilder().withLatestRevision(true).withPercent(100L).build())
                .endSpec().build();
    }

    /** The Service's condition of {@code type}, or {@code null}. */
    public static Condition condition(Service s, String type) {
        List<Condition> all = s == null || s.getStatus() == null ? null : s.getStatus().getConditions();
        return all == null ? null : all.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    /** Knative has observed {@code generation} and Ready is True or False. */
    public static Predicate<Service> settled(long generation) {
        return s -> s != null && s.getStatus() != null && s.getStatus().getObservedGeneration() != null
                && s.getStatus().getObservedGeneration() >= generation && condition(s, "Ready") != null
                && !"Unknown".equals(condition(s, "Ready").getStatus());
    }

    /** Waits (through a watch) until the Service settles at {@code generation}. */
    public Service awaitSettled(String name, long generation, Duration timeout) {
        return knative.services().inNamespace(NAMESPACE).withName(name).waitUntilCondition(settled(generation),
                timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        client.close();
    }
}
