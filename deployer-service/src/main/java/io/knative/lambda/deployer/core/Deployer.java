package io.knative.lambda.deployer.core;

import java.time.Clock;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import org.jboss.logging.Logger;

import io.fabric8.knative.eventing.v1.Trigger;
import io.fabric8.knative.serving.v1.Revision;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.kubernetes.api.model.Container;
import io.knative.lambda.events.BuildCompleted;
import io.knative.lambda.events.FunctionEnvironment;
import io.knative.lambda.events.DeployCompleted;
import io.knative.lambda.events.DeployFailed;
import io.knative.lambda.events.FailureReason;
import io.knative.lambda.events.FunctionDeleted;
import io.knative.lambda.events.FunctionKey;
import io.knative.lambda.events.InvalidFunctionKeyException;
import io.knative.lambda.events.RollbackRequested;

/**
 * The deployer's core: rolls a build out as a Knative Service and its Trigger, pins traffic for a
 * rollback, removes a function; then waits (bounded) for Knative to report the rollout's outcome and
 * claims it on the Service ({@link Labels#REPORTED_GENERATION}) so that exactly one delivery answers
 * with the outcome event, however many duplicates arrive. No transport in here: the API calls go
 * through {@link FunctionCluster}.
 */
public final class Deployer {

    private static final Logger LOG = Logger.getLogger(Deployer.class);
    private static final Pattern IMAGE_BY_DIGEST = Pattern.compile("[^@\\s]+@(sha256:[0-9a-f]{64})");

    private final FunctionCluster cluster;
    private final DeployerSettings settings;
    private final KnativeObjects objects;
    private final SettingsResolver resolver;
    private final Clock clock;
    private final KnownServices known = new KnownServices();

    public Deployer(FunctionCluster cluster, DeployerSettings settings, Clock clock) {
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.objects = new KnativeObjects(settings);
        this.resolver = new SettingsResolver(settings.defaults(), settings.limits());
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The settings in force. */
    public DeployerSettings settings() {
        return settings;
    }

    /**
     * Rolls out {@code build}: create or update the Service (no write when the spec hash is unchanged and
     * traffic is not pinned; a name not seen before is created without a read first, see {@link KnownServices}), create or update the Trigger, wait for Ready, claim and return the outcome.
     *
     * @throws ClusterUnavailableException when the API fails or conflicts persist: answer 503
     */
    public DeployOutcome deploy(BuildCompleted build, String buildEventId) {
        long started = clock.millis();
        String id = build == null ? null : build.functionId();
        Optional<String> invalid = validate(build);
        if (invalid.isPresent()) {
            return failed(id, FailureReason.INVALID_EVENT, invalid.get());
        }
        try {
            FunctionKey.parse(build.scope() + "/" + build.kind() + "/" + build.functionId());
        } catch (InvalidFunctionKeyException e) {
            return failed(id, e.reason(), e.getMessage());
        }
        FunctionSettings fn;
        try {
            fn = resolver.resolve(build.settings());
        } catch (InvalidSettingsException e) {
            return failed(id, FailureReason.INVALID_SETTINGS, e.getMessage());
        }
        Service desired = objects.desiredService(build, buildEventId, fn);
        String name = desired.getMetadata().getName();

        Applied<Service> applied;
        try {
            applied = applyService(desired, build.scope());
        } catch (NameTakenException e) {
            return failed(id, FailureReason.NAME_TAKEN, e.getMessage());
        }
        try {
            applyTrigger(objects.desiredTrigger(build, applied.object()), build.scope(), applied.created());
        } catch (NameTakenException e) {
            return failed(id, FailureReason.NAME_TAKEN, e.getMessage());
        }
        long generation = generation(applied.object());
        LOG.debugf("service %s %s at generation %d", name, applied.written() ? "written" : "unchanged", generation);
        return settle(id, name, generation, null, build.image(), applied.object(), started, buildEventId);
    }

    /**
     * Pins all traffic of the function's Service to the revision named by {@code request} (or to the newest
     * revision running its image) and reports it like a rollout. The next build unpins.
     */
    public DeployOutcome rollback(String functionId, RollbackRequested request, String eventId) {
        long started = clock.millis();
        if (blank(functionId)) {
            return failed(functionId, FailureReason.INVALID_EVENT, "rollback.requested needs the function id as its subject");
        }
        if (request == null || blank(request.revision()) == blank(request.image())) {
            return failed(functionId, FailureReason.INVALID_EVENT,
                    "rollback.requested data must name exactly one of 'revision' or 'image' (repo@sha256:...)");
        }
        List<Service> services = cluster.servicesOfFunction(functionId).stream().filter(Deployer::managed).toList();
        if (services.isEmpty()) {
            return failed(functionId, FailureReason.FUNCTION_NOT_FOUND, "no Knative Service of function '" + functionId
                    + "' in namespace " + settings.namespace());
        }
        if (services.size() > 1) {
            return failed(functionId, FailureReason.AMBIGUOUS_FUNCTION, "function id '" + functionId + "' names "
                    + services.stream().map(s -> s.getMetadata().getName()).sorted().toList()
                    + "; roll back by deleting the unwanted one first");
        }
        String name = services.get(0).getMetadata().getName();
        Optional<Revision> revision = blank(request.revision()) ? newestRevisionWithImage(name, request.image())
                : cluster.getRevision(request.revision()).filter(r -> name.equals(label(r.getMetadata().getLabels(),
                        Labels.KNATIVE_SERVICE)));
        if (revision.isEmpty()) {
            return failed(functionId, FailureReason.REVISION_NOT_FOUND, "Service " + name + " has no revision "
                    + (blank(request.revision()) ? "running image " + request.image() : "named " + request.revision()));
        }
        String revisionName = revision.get().getMetadata().getName();
        Service pinned = pin(name, revisionName);
        return settle(functionId, name, generation(pinned), revisionName, image(revision.get()), pinned, started, eventId);
    }

    /** Deletes the function's Service and Trigger; {@code function.deleted} also when they were already gone. */
    public DeployOutcome remove(FunctionKey key) {
        String name = key.serviceName();
        Optional<Service> service = cluster.getService(name);
        if (service.isPresent() && !ours(service.get().getMetadata().getLabels(), key.scope())) {
            LOG.warnf("not deleting Service %s for removed s3 key %s: it is not knative-lambda's function of scope %s", name,
                    key.key(), key.scope());
            return new DeployOutcome.Ignored(key.id(), "Service " + name + " is not this scope's function");
        }
        Optional<Trigger> trigger = cluster.getTrigger(name);
        boolean triggerDeleted = trigger.isPresent() && ours(trigger.get().getMetadata().getLabels(), key.scope())
                && cluster.deleteTrigger(name);
        boolean serviceDeleted = service.isPresent() && cluster.deleteService(name);
        known.remove(name);
        LOG.infof("function %s removed (service deleted: %s, trigger deleted: %s)", name, serviceDeleted, triggerDeleted);
        return new DeployOutcome.Deleted(new FunctionDeleted(key.id(), name, settings.namespace()));
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** Waits for the outcome of {@code generation} unless it was reported already, then claims it. */
    private DeployOutcome settle(String functionId, String name, long generation, String pinnedRevision, String image,
            Service current, long started, String eventId) {
        Optional<DeployOutcome> reported = alreadyReported(functionId, current, generation, eventId);
        if (reported.isPresent()) {
            return reported.get();
        }
        Predicate<Service> settledState = s -> RolloutState.of(s, generation, pinnedRevision).terminal();
        FunctionCluster.Awaited settled = current != null && name.equals(current.getMetadata().getName())
                ? cluster.awaitService(current, settledState, settings.readyTimeout())
                : cluster.awaitService(name, settledState, settings.readyTimeout());
        Service last = settled.met() ? settled.service() : cluster.getService(name).orElse(null);
        RolloutState state = settled.met() ? RolloutState.of(last, generation, pinnedRevision) : null;
        DeployOutcome outcome;
        if (state == null) {
            outcome = failed(functionId, FailureReason.READY_TIMEOUT, "Service " + name + " did not become Ready within "
                    + settings.readyTimeout().toSeconds() + "s: " + RolloutState.describe(last));
        } else if (state instanceof RolloutState.Ready ready) {
            outcome = new DeployOutcome.Completed(new DeployCompleted(functionId, name, settings.namespace(), ready.url(),
                    ready.revision(), image, Math.max(0, clock.millis() - started)));
        } else if (state instanceof RolloutState.Failed f) {
            // Knative's own reason passes through, as permanent; only the deployer's ServiceDeleted is retryable.
            outcome = failed(functionId, f.reason(), f.message(), FailureReason.SERVICE_DELETED.code().equals(f.reason()));
        } else {
            RolloutState.Superseded s = (RolloutState.Superseded) state;
            LOG.infof("rollout of %s generation %d superseded by generation %d; that rollout reports", name, generation,
                    s.observedGeneration());
            return new DeployOutcome.AlreadyReported(functionId, name, generation, "superseded");
        }
        return claim(name, generation, last, outcome, eventId);
    }

    /**
     * Records on the Service that the outcome of {@code generation} is being emitted, guarded by the
     * resourceVersion: of two deliveries racing, exactly one wins and answers with the event.
     */
    private DeployOutcome claim(String name, long generation, Service last, DeployOutcome outcome, String eventId) {
        Service current = last;
        for (int attempt = 0; attempt <= settings.conflictRetries() + 5; attempt++) {
            if (current == null) {
                return outcome; // deleted meanwhile: nothing to record on, nobody else can claim either
            }
            Optional<DeployOutcome> reported = alreadyReported(outcome.functionId(), current, generation, eventId);
            if (reported.isPresent()) {
                return reported.get();
            }
            Service claimed = copy(current);
            Map<String, String> annotations = new LinkedHashMap<>(annotations(claimed));
            annotations.put(Labels.REPORTED_GENERATION, Long.toString(generation));
            annotations.put(Labels.REPORTED_OUTCOME, outcome.eventType());
            annotations.put(Labels.REPORTED_EVENT, eventId == null ? "" : eventId);
            if (outcome instanceof DeployOutcome.Failed f) {
                annotations.put(Labels.REPORTED_REASON, f.event().reason());
            } else {
                annotations.remove(Labels.REPORTED_REASON);
            }
            claimed.getMetadata().setAnnotations(annotations);
            try {
                cluster.updateService(claimed);
                return outcome;
            } catch (ConflictException e) {
                current = cluster.getService(name).orElse(null);
            }
        }
        throw new ClusterUnavailableException("record the outcome on Service " + name, 409,
                "conflicts persisted after " + (settings.conflictRetries() + 5) + " retries", null);
    }

    /**
     * Whether the outcome of {@code generation} (or of a later one) was emitted already. One exception: a
     * {@code ReadyTimeout} is retryable, so a different event for the same rollout (someone asked again)
     * waits again and reports; a redelivery of the event that got the timeout does not.
     */
    private Optional<DeployOutcome> alreadyReported(String functionId, Service current, long generation, String eventId) {
        Map<String, String> annotations = annotations(current);
        String reported = annotations.get(Labels.REPORTED_GENERATION);
        if (reported != null) {
            try {
                long reportedGeneration = Long.parseLong(reported);
                if (reportedGeneration == generation && FailureReason.READY_TIMEOUT.code().equals(annotations.get(Labels.REPORTED_REASON))
                        && eventId != null && !eventId.equals(annotations.get(Labels.REPORTED_EVENT))) {
                    return Optional.empty();
                }
                if (reportedGeneration >= generation) {
                    return Optional.of(new DeployOutcome.AlreadyReported(functionId, current.getMetadata().getName(),
                            generation, annotations(current).get(Labels.REPORTED_OUTCOME)));
                }
            } catch (NumberFormatException e) {
                LOG.warnf("Service %s has a malformed %s annotation '%s'; ignoring it", current.getMetadata().getName(),
                        Labels.REPORTED_GENERATION, reported);
            }
        }
        return Optional.empty();
    }

    private Applied<Service> applyService(Service desired, String scope) {
        String name = desired.getMetadata().getName();
        String hash = annotations(desired).get(Labels.SPEC_HASH);
        if (!known.contains(name)) {
            try {
                Service created = cluster.createService(desired);
                known.add(name);
                return new Applied<>(created, true, true);
            } catch (ConflictException exists) {
                LOG.debugf("Service %s exists already; reading it", name);
            }
        }
        for (int attempt = 0; attempt <= settings.conflictRetries(); attempt++) {
            Optional<Service> existing = cluster.getService(name);
            try {
                if (existing.isEmpty()) {
                    Service created = cluster.createService(desired);
                    known.add(name);
                    return new Applied<>(created, true, true);
                }
                known.add(name);
                Service current = existing.get();
                if (!ours(current.getMetadata().getLabels(), scope)) {
                    throw new NameTakenException("Service", name, settings.namespace(), current.getMetadata().getLabels());
                }
                if (hash.equals(annotations(current).get(Labels.SPEC_HASH)) && KnativeObjects.pinnedRevision(current) == null) {
                    if (sameSource(current, desired)) {
                        return new Applied<>(current, false, false);
                    }
                    // the same spec from another upload (same content, new ETag): record where it came from, no rollout
                    Service next = copy(current);
                    Map<String, String> annotations = new LinkedHashMap<>(annotations(current));
                    PROVENANCE.forEach(k -> annotations.put(k, annotations(desired).get(k)));
                    annotations.values().removeIf(Objects::isNull);
                    next.getMetadata().setAnnotations(annotations);
                    return new Applied<>(cluster.updateService(next), true, false);
                }
                Service next = copy(current);
                Map<String, String> annotations = new LinkedHashMap<>(annotations(current));
                annotations.putAll(annotations(desired));
                next.getMetadata().setAnnotations(annotations);
                next.getMetadata().setLabels(mergeLabels(current, desired));
                next.setSpec(desired.getSpec());
                return new Applied<>(cluster.updateService(next), true, false);
            } catch (ConflictException e) {
                LOG.debugf("conflict writing Service %s (attempt %d): %s; re-reading", name, attempt + 1, e.getMessage());
            }
        }
        throw new ClusterUnavailableException("write Service " + name, 409,
                "conflicts persisted after " + settings.conflictRetries() + " retries", null);
    }

    /** The annotations that say which upload a Service runs. */
    private static final List<String> PROVENANCE = List.of(Labels.SOURCE, Labels.SOURCE_DIGEST, Labels.SOURCE_ETAG,
            Labels.BUILD_EVENT_ID);

    /** Whether the Service already records the desired source (its key and, when the build knows it, its ETag). */
    private static boolean sameSource(Service current, Service desired) {
        Map<String, String> now = annotations(current);
        Map<String, String> wanted = annotations(desired);
        return Objects.equals(now.get(Labels.SOURCE), wanted.get(Labels.SOURCE))
                && (wanted.get(Labels.SOURCE_ETAG) == null || wanted.get(Labels.SOURCE_ETAG).equals(now.get(Labels.SOURCE_ETAG)));
    }

    /**
     * Creates or updates the Trigger. Right after its Service was created the Trigger is created without a read
     * first (one call fewer on a new function's path; a Trigger of that name left by someone else answers 409
     * and is read then); otherwise read first, so that a redelivery writes nothing.
     */
    private void applyTrigger(Trigger desired, String scope, boolean serviceCreated) {
        String name = desired.getMetadata().getName();
        String hash = annotations(desired.getMetadata().getAnnotations()).get(Labels.SPEC_HASH);
        if (serviceCreated) {
            try {
                cluster.createTrigger(desired);
                return;
            } catch (ConflictException exists) {
                LOG.debugf("Trigger %s exists already; reading it", name);
            }
        }
        for (int attempt = 0; attempt <= settings.conflictRetries(); attempt++) {
            Optional<Trigger> existing = cluster.getTrigger(name);
            try {
                if (existing.isEmpty()) {
                    cluster.createTrigger(desired);
                    return;
                }
                Trigger current = existing.get();
                if (!ours(current.getMetadata().getLabels(), scope)) {
                    throw new NameTakenException("Trigger", name, settings.namespace(), current.getMetadata().getLabels());
                }
                if (hash.equals(annotations(current.getMetadata().getAnnotations()).get(Labels.SPEC_HASH))
                        && Objects.equals(current.getMetadata().getOwnerReferences(),
                                desired.getMetadata().getOwnerReferences())) {
                    return;
                }
                Trigger next = new io.fabric8.knative.eventing.v1.TriggerBuilder(current).build();
                Map<String, String> annotations = new LinkedHashMap<>(annotations(current.getMetadata().getAnnotations()));
                annotations.putAll(desired.getMetadata().getAnnotations());
                next.getMetadata().setAnnotations(annotations);
                next.getMetadata().setLabels(desired.getMetadata().getLabels());
                next.getMetadata().setOwnerReferences(desired.getMetadata().getOwnerReferences());
                next.setSpec(desired.getSpec());
                cluster.updateTrigger(next);
                return;
            } catch (ConflictException e) {
                LOG.debugf("conflict writing Trigger %s (attempt %d): %s; re-reading", name, attempt + 1, e.getMessage());
            }
        }
        throw new ClusterUnavailableException("write Trigger " + name, 409,
                "conflicts persisted after " + settings.conflictRetries() + " retries", null);
    }

    /** Sets the Service's traffic to 100% on {@code revision}; no write when it already is. */
    private Service pin(String name, String revision) {
        for (int attempt = 0; attempt <= settings.conflictRetries(); attempt++) {
            Service current = cluster.getService(name).orElseThrow(() -> new ClusterUnavailableException(
                    "pin Service " + name, 404, "the Service disappeared during the rollback", null));
            if (revision.equals(KnativeObjects.pinnedRevision(current))) {
                return current;
            }
            Service next = copy(current);
            next.getSpec().setTraffic(KnativeObjects.pinnedTraffic(revision));
            try {
                return cluster.updateService(next);
            } catch (ConflictException e) {
                LOG.debugf("conflict pinning Service %s (attempt %d); re-reading", name, attempt + 1);
            }
        }
        throw new ClusterUnavailableException("pin Service " + name, 409,
                "conflicts persisted after " + settings.conflictRetries() + " retries", null);
    }

    private Optional<Revision> newestRevisionWithImage(String service, String image) {
        return cluster.revisionsOf(service).stream()
                .filter(r -> image.equals(image(r)))
                .max(Comparator.comparing((Revision r) -> r.getMetadata().getCreationTimestamp(),
                        Comparator.nullsFirst(Comparator.naturalOrder()))
                        .thenComparing(r -> r.getMetadata().getName()));
    }

    private static String image(Revision revision) {
        if (revision.getSpec() == null || revision.getSpec().getContainers() == null) {
            return null;
        }
        return revision.getSpec().getContainers().stream().map(Container::getImage).filter(Objects::nonNull).findFirst()
                .orElse(null);
    }

    private static Optional<String> validate(BuildCompleted build) {
        if (build == null) {
            return Optional.of("build.completed has no data");
        }
        StringBuilder missing = new StringBuilder();
        for (Map.Entry<String, String> e : Map.of("functionId", nn(build.functionId()), "kind", nn(build.kind()),
                "scope", nn(build.scope()), "image", nn(build.image()), "digest", nn(build.digest())).entrySet()) {
            if (e.getValue().isBlank()) {
                missing.append(missing.length() == 0 ? "" : ", ").append(e.getKey());
            }
        }
        if (missing.length() > 0) {
            return Optional.of("build.completed data lacks " + missing);
        }
        Optional<String> environment = FunctionEnvironment.problem(build.environment());
        if (environment.isPresent()) {
            return Optional.of("build.completed environment: " + environment.get());
        }
        var m = IMAGE_BY_DIGEST.matcher(build.image());
        if (!m.matches()) {
            return Optional.of("image '" + build.image() + "' is not an image by digest (repo@sha256:<64 hex>)");
        }
        if (!m.group(1).equals(build.digest())) {
            return Optional.of("image '" + build.image() + "' does not carry the event's digest " + build.digest());
        }
        return Optional.empty();
    }

    private static Map<String, String> mergeLabels(Service current, Service desired) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (current.getMetadata().getLabels() != null) {
            labels.putAll(current.getMetadata().getLabels());
        }
        labels.putAll(desired.getMetadata().getLabels());
        return labels;
    }

    private static boolean managed(Service s) {
        return Labels.MANAGER.equals(label(s.getMetadata().getLabels(), Labels.MANAGED_BY));
    }

    private static boolean ours(Map<String, String> labels, String scope) {
        return Labels.MANAGER.equals(label(labels, Labels.MANAGED_BY)) && Objects.equals(scope, label(labels, Labels.SCOPE));
    }

    private static String label(Map<String, String> labels, String key) {
        return labels == null ? null : labels.get(key);
    }

    private static Map<String, String> annotations(Service s) {
        return s == null ? Map.of() : annotations(s.getMetadata().getAnnotations());
    }

    private static Map<String, String> annotations(Map<String, String> annotations) {
        return annotations == null ? Map.of() : annotations;
    }

    private static long generation(Service s) {
        Long g = s.getMetadata().getGeneration();
        return g == null ? 0L : g;
    }

    private static Service copy(Service s) {
        return new io.fabric8.knative.serving.v1.ServiceBuilder(s).build();
    }

    private static DeployOutcome failed(String functionId, FailureReason reason, String message) {
        return failed(functionId, reason.code(), message, reason.retryable());
    }

    private static DeployOutcome failed(String functionId, String reason, String message, boolean retryable) {
        return new DeployOutcome.Failed(new DeployFailed(functionId, reason, message, retryable));
    }

    private static String nn(String s) {
        return s == null ? "" : s;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /** An object after create-or-update, whether a write happened and whether it was the create. */
    private record Applied<T>(T object, boolean written, boolean created) {
    }
}
