package io.knative.lambda.localcluster.serving;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.knative.pkg.apis.Condition;
import io.fabric8.knative.serving.v1.Revision;
import io.fabric8.knative.serving.v1.RevisionBuilder;
import io.fabric8.knative.serving.v1.RevisionTemplateSpec;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.knative.lambda.localcluster.store.Json;

/**
 * Revisions as Knative Serving names and labels them: {@code {service}-00001}, {@code -00002}, ... one per
 * template, labelled with their service and configuration generation, owned by the Service (so that they go
 * with it), carrying the template's labels and annotations and a hash of it.
 */
public final class Revisions {

    public static final String SERVICE_LABEL = "serving.knative.dev/service";
    public static final String SERVICE_UID_LABEL = "serving.knative.dev/serviceUID";
    public static final String CONFIGURATION_LABEL = "serving.knative.dev/configuration";
    public static final String GENERATION_LABEL = "serving.knative.dev/configurationGeneration";
    /** The hash of the template a revision was made from (ours, not Knative's: it has a Configuration object instead). */
    public static final String TEMPLATE_HASH = "local.knative-lambda.io/template-hash";

    private Revisions() {
    }

    /** The sha256 of the template's canonical JSON. */
    public static String hash(RevisionTemplateSpec template) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(Json.canonical(template).getBytes(StandardCharsets.UTF_8))).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The revision's number: its configuration generation, else its name's suffix, else 0. */
    public static long number(Revision revision) {
        Map<String, String> labels = revision.getMetadata().getLabels();
        String generation = labels == null ? null : labels.get(GENERATION_LABEL);
        return generation != null ? parse(generation) : number(revision.getMetadata().getName());
    }

    /** The number at the end of a revision's name ({@code fn-00003}: 3), or 0. */
    public static long number(String name) {
        return parse(name.substring(name.lastIndexOf('-') + 1));
    }

    private static long parse(String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Revision number {@code number} of {@code service}, from its current template. */
    public static Revision next(Service service, long number) {
        String name = service.getMetadata().getName();
        RevisionTemplateSpec template = service.getSpec().getTemplate();
        Map<String, String> labels = new LinkedHashMap<>();
        if (template.getMetadata() != null && template.getMetadata().getLabels() != null) {
            labels.putAll(template.getMetadata().getLabels());
        }
        labels.put(SERVICE_LABEL, name);
        labels.put(SERVICE_UID_LABEL, service.getMetadata().getUid());
        labels.put(CONFIGURATION_LABEL, name);
        labels.put(GENERATION_LABEL, Long.toString(number));
        Map<String, String> annotations = new LinkedHashMap<>();
        if (template.getMetadata() != null && template.getMetadata().getAnnotations() != null) {
            annotations.putAll(template.getMetadata().getAnnotations());
        }
        annotations.put(TEMPLATE_HASH, hash(template));
        return new RevisionBuilder()
                .withNewMetadata()
                    .withName(String.format("%s-%05d", name, number))
                    .withNamespace(service.getMetadata().getNamespace())
                    .withLabels(labels)
                    .withAnnotations(annotations)
                    .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("serving.knative.dev/v1")
                            .withKind("Service").withName(name).withUid(service.getMetadata().getUid())
                            .withController(true).withBlockOwnerDeletion(true).build())
                .endMetadata()
                .withSpec(Json.object(Json.tree(template.getSpec()), io.fabric8.knative.serving.v1.RevisionSpec.class))
                .build();
    }

    /** Whether the revision was made from {@code hash}'s template. */
    public static boolean madeFrom(Revision revision, String hash) {
        Map<String, String> annotations = revision.getMetadata().getAnnotations();
        return annotations != null && hash.equals(annotations.get(TEMPLATE_HASH));
    }

    /** The revision's {@code Ready} condition, or {@code null}. */
    public static Condition ready(Revision revision) {
        List<Condition> conditions = revision.getStatus() == null ? null : revision.getStatus().getConditions();
        return conditions == null ? null
                : conditions.stream().filter(c -> "Ready".equals(c.getType())).findFirst().orElse(null);
    }

    /** Whether the revision has been Ready (it stays so when scaled to zero). */
    public static boolean isReady(Revision revision) {
        Condition ready = ready(revision);
        return ready != null && "True".equals(ready.getStatus());
    }
}
