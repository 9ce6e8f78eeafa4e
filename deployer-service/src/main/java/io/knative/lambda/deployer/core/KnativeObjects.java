package io.knative.lambda.deployer.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.knative.duck.v1.DeliverySpec;
import io.fabric8.knative.duck.v1.DeliverySpecBuilder;
import io.fabric8.knative.eventing.v1.Trigger;
import io.fabric8.knative.eventing.v1.TriggerBuilder;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.ServiceBuilder;
import io.fabric8.knative.serving.v1.TrafficTarget;
import io.fabric8.knative.serving.v1.TrafficTargetBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.knative.lambda.events.BuildCompleted;
import io.knative.lambda.events.EventTypes;

/**
 * The desired state (in the java-operator-sdk sense) of a function: its Knative Service and its
 * per-function Trigger, computed from a {@code build.completed} event and the platform settings only,
 * so the same input always gives the same objects and the same {@link Labels#SPEC_HASH}.
 */
public final class KnativeObjects {

    /** The container's name in every function pod. */
    public static final String CONTAINER = "function";
    /** Where the function may write scratch files (the root filesystem is read-only). */
    public static final String TMP_VOLUME = "tmp";

    private final DeployerSettings settings;

    public KnativeObjects(DeployerSettings settings) {
        this.settings = settings;
    }

    /**
     * The function's Knative Service {@code {kind}-{id}}, image by digest, restricted security context (non-root, no
     * privilege escalation, no capabilities, RuntimeDefault seccomp, read-only root with a writable /tmp) and no
     * service-account token.
     */
    public Service desiredService(BuildCompleted build, String buildEventId, FunctionSettings fn) {
        String name = serviceName(build.kind(), build.functionId());
        Map<String, String> labels = labels(name, build.functionId(), build.scope(), build.kind(), build.runtime());

        Map<String, String> templateAnnotations = new LinkedHashMap<>();
        templateAnnotations.put(Labels.MIN_SCALE, Integer.toString(fn.minScale()));
        templateAnnotations.put(Labels.MAX_SCALE, Integer.toString(fn.maxScale()));

        ServiceBuilder service = new ServiceBuilder()
                .withNewMetadata()
                    .withName(name)
                    .withNamespace(settings.namespace())
                    .withLabels(labels)
                .endMetadata()
                .withNewSpec()
                    .withNewTemplate()
                        .withNewMetadata()
                            .withLabels(labels)
                            .withAnnotations(templateAnnotations)
                        .endMetadata()
                        .withNewSpec()
                            .withContainerConcurrency((long) fn.containerConcurrency())
                            .withTimeoutSeconds((long) fn.timeoutSeconds())
                            .withServiceAccountName(settings.serviceAccountName().orElse(null))
                            .withAutomountServiceAccountToken(false)
                            .withEnableServiceLinks(false)
                            .withContainers(container(build, fn))
                        .endSpec()
                    .endTemplate()
                    .withTraffic(latestTraffic())
                .endSpec();
        Service desired = service.build();
        if (settings.tmpVolume()) {
            desired.getSpec().getTemplate().getSpec().setVolumes(List.of(new io.fabric8.kubernetes.api.model.VolumeBuilder()
                    .withName(TMP_VOLUME).withNewEmptyDir().withSizeLimit(new Quantity("64Mi")).endEmptyDir().build()));
        }

        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(Labels.SOURCE_DIGEST, nullToEmpty(build.sourceDigest()));
        annotations.put(Labels.SOURCE, "s3://" + nullToEmpty(build.bucket()) + "/" + nullToEmpty(build.key()));
        if (build.eTag() != null) {
            annotations.put(Labels.SOURCE_ETAG, build.eTag());
        }
        annotations.put(Labels.BUILD_EVENT_ID, nullToEmpty(buildEventId));
        annotations.put(Labels.IMAGE_DIGEST, build.digest());
        annotations.put(Labels.SPEC_HASH, specHash(desired));
        desired.getMetadata().setAnnotations(annotations);
        return desired;
    }

    /**
     * The Trigger {@code {kind}-{id}}: invoke events whose subject is the Service name {@code {kind}-{id}} (unique in the
     * namespace, so a function of another scope or kind that reuses the id never matches), to the function's ksvc.
     */
    public Trigger desiredTrigger(BuildCompleted build, Service owner) {
        String name = serviceName(build.kind(), build.functionId());
        Map<String, String> labels = labels(name, build.functionId(), build.scope(), build.kind(), build.runtime());
        Map<String, String> filter = new LinkedHashMap<>();
        filter.put("type", EventTypes.INVOKE);
        filter.put("subject", name);
        settings.trigger().scopeAttribute().ifPresent(attribute -> filter.put(attribute, build.scope()));

        DeliverySpecBuilder delivery = new DeliverySpecBuilder()
                .withRetry(settings.trigger().retry())
                .withBackoffPolicy(settings.trigger().backoffPolicy())
                .withBackoffDelay(settings.trigger().backoffDelay());
        settings.deadLetterSink().ifPresent(sink -> {
            if (sink.uri() != null) {
                delivery.withNewDeadLetterSink().withUri(sink.uri()).endDeadLetterSink();
            } else {
                delivery.withNewDeadLetterSink().withNewRef().withApiVersion(sink.apiVersion()).withKind(sink.kind())
                        .withName(sink.name()).endRef().endDeadLetterSink();
            }
        });
        DeliverySpec deliverySpec = delivery.build();

        TriggerBuilder trigger = new TriggerBuilder()
                .withNewMetadata()
                    .withName(name)
                    .withNamespace(settings.namespace())
                    .withLabels(labels)
                .endMetadata()
                .withNewSpec()
                    .withBroker(settings.broker())
                    .withNewFilter().withAttributes(filter).endFilter()
                    .withNewSubscriber()
                        .withNewRef()
                            .withApiVersion("serving.knative.dev/v1")
                            .withKind("Service")
                            .withName(name)
                        .endRef()
                    .endSubscriber()
                    .withDelivery(deliverySpec)
                .endSpec();
        Trigger desired = trigger.build();
        if (owner != null && owner.getMetadata().getUid() != null) {
            // Kubernetes garbage-collects the Trigger with its Service; no blockOwnerDeletion, so no extra RBAC.
            desired.getMetadata().setOwnerReferences(List.of(new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
                    .withApiVersion("serving.knative.dev/v1").withKind("Service").withName(name)
                    .withUid(owner.getMetadata().getUid()).build()));
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(Labels.SPEC_HASH, hash(Serialization.asJson(desired.getSpec()) + Serialization.asJson(labels)));
        desired.getMetadata().setAnnotations(annotations);
        return desired;
    }

    /** {@code {kind}-{id}}. */
    public static String serviceName(String kind, String functionId) {
        return kind + "-" + functionId;
    }

    /** The traffic of a normal rollout: everything to the latest ready revision. */
    public static List<TrafficTarget> latestTraffic() {
        return List.of(new TrafficTargetBuilder().withLatestRevision(true).withPercent(100L).build());
    }

    /** The traffic of a rollback: everything pinned to one revision. */
    public static List<TrafficTarget> pinnedTraffic(String revision) {
        return List.of(new TrafficTargetBuilder().withRevisionName(revision).withLatestRevision(false).withPercent(100L)
                .build());
    }

    /** The revision the Service's spec pins all traffic to, or {@code null} when it follows the latest revision. */
    public static String pinnedRevision(Service service) {
        if (service.getSpec() == null || service.getSpec().getTraffic() == null) {
            return null;
        }
        List<TrafficTarget> traffic = service.getSpec().getTraffic();
        if (traffic.size() == 1 && traffic.get(0).getRevisionName() != null
                && !Boolean.TRUE.equals(traffic.get(0).getLatestRevision())) {
            return traffic.get(0).getRevisionName();
        }
        return null;
    }

    /** The hash of what a build decides: spec and labels, not the provenance annotations. */
    static String specHash(Service desired) {
        return hash(Serialization.asJson(desired.getSpec()) + Serialization.asJson(desired.getMetadata().getLabels()));
    }

    private Container container(BuildCompleted build, FunctionSettings fn) {
        List<EnvVar> env = new ArrayList<>();
        env.add(new EnvVar("FUNCTION_ID", build.functionId(), null));
        env.add(new EnvVar("FUNCTION_KIND", build.kind(), null));
        env.add(new EnvVar("FUNCTION_SCOPE", build.scope(), null));
        env.add(new EnvVar("FUNCTION_RUNTIME", nullToEmpty(build.runtime()), null));
        env.add(new EnvVar("FUNCTION_TIMEOUT_MS", Long.toString(fn.timeoutSeconds() * 1000L), null));
        if (fn.containerConcurrency() > 0) {
            env.add(new EnvVar("FUNCTION_CONCURRENCY", Integer.toString(fn.containerConcurrency()), null));
        }
        if (fn.handler() != null) {
            env.add(new EnvVar("FUNCTION_HANDLER", fn.handler(), null));
        }
        if (fn.execution() != null) {
            env.add(new EnvVar("FUNCTION_EXECUTION", fn.execution(), null));
        }
        // function.yaml's own variables, in name order; the names were checked (FunctionEnvironment): never FUNCTION_*, K_*, PORT
        new java.util.TreeMap<>(build.environment()).forEach((name, value) -> env.add(new EnvVar(name, value, null)));
        Map<String, Quantity> requests = new LinkedHashMap<>();
        requests.put("cpu", new Quantity(fn.cpu()));
        requests.put("memory", new Quantity(fn.memory()));
        Map<String, Quantity> limits = new LinkedHashMap<>();
        if (fn.cpuLimit() != null) {
            limits.put("cpu", new Quantity(fn.cpuLimit()));
        }
        limits.put("memory", new Quantity(fn.memory()));

        SecurityContextBuilder security = new SecurityContextBuilder()
                .withRunAsNonRoot(true)
                .withReadOnlyRootFilesystem(true)
                .withAllowPrivilegeEscalation(false)
                .withNewCapabilities().withDrop("ALL").endCapabilities()
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile();
        settings.runAsUser().ifPresent(security::withRunAsUser);

        return new ContainerBuilder()
                .withName(CONTAINER)
                .withImage(build.image())
                .withEnv(env)
                .withNewResources().withRequests(requests).withLimits(limits).endResources()
                .withSecurityContext(security.build())
                .withNewReadinessProbe().withNewHttpGet().withPath("/health/ready").endHttpGet().endReadinessProbe()
                .withNewLivenessProbe().withNewHttpGet().withPath("/health/live").endHttpGet().endLivenessProbe()
                .withVolumeMounts(settings.tmpVolume()
                        ? List.of(new io.fabric8.kubernetes.api.model.VolumeMountBuilder().withName(TMP_VOLUME)
                                .withMountPath("/tmp").build())
                        : List.of())
                .build();
    }

    static Map<String, String> labels(String name, String functionId, String scope, String kind, String runtime) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(Labels.NAME, name);
        labels.put(Labels.MANAGED_BY, Labels.MANAGER);
        labels.put(Labels.FUNCTION_ID, functionId);
        labels.put(Labels.SCOPE, scope);
        labels.put(Labels.KIND, kind);
        if (runtime != null && !runtime.isBlank()) {
            labels.put(Labels.RUNTIME, runtime);
        }
        return labels;
    }

    static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
