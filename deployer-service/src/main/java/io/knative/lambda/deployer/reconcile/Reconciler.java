package io.knative.lambda.deployer.reconcile;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

import org.jboss.logging.Logger;

import io.fabric8.knative.serving.v1.Service;
import io.knative.lambda.deployer.core.DeployOutcome;
import io.knative.lambda.deployer.core.FunctionBucket;
import io.knative.lambda.deployer.core.FunctionCluster;
import io.knative.lambda.deployer.core.Labels;
import io.knative.lambda.deployer.core.Removals;
import io.knative.lambda.events.BuildRequested;
import io.knative.lambda.events.EventTypes;
import io.knative.lambda.events.FunctionKey;
import io.knative.lambda.events.InvalidFunctionKeyException;

/**
 * Makes what is deployed follow the bucket, whatever notifications were lost: one {@link #run() pass} lists the
 * bucket (page by page) and the function Services, and for every function object older than the grace period that is
 * not deployed, or deployed from another ETag, asks for a build ({@code build.requested}, with an id derived from the
 * key and ETag so that duplicates collapse); for every Service whose object is missing from the listing it removes the
 * function once a look at the object confirms it is gone ({@link Removals}), and announces {@code function.deleted}.
 * Keys that name no function are never acted on (their upload was answered {@code build.failed}). At most
 * {@code maxActions} requests and removals per pass, oldest first; a listing that fails decides nothing.
 */
public final class Reconciler {

    private static final Logger LOG = Logger.getLogger(Reconciler.class);
    /** The CloudEvent source of what the reconciler emits. */
    public static final String SOURCE = "/knative-lambda/deployer/reconciler";

    private final FunctionBucket bucket;
    private final FunctionCluster cluster;
    private final Removals removals;
    private final ReconcileEvents events;
    private final ReconcileSettings settings;
    private final Clock clock;
    private final RequestBackoff backoff;

    public Reconciler(FunctionBucket bucket, FunctionCluster cluster, Removals removals, ReconcileEvents events,
            ReconcileSettings settings, Clock clock) {
        this.bucket = Objects.requireNonNull(bucket, "bucket");
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.removals = Objects.requireNonNull(removals, "removals");
        this.events = Objects.requireNonNull(events, "events");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.backoff = new RequestBackoff(settings.period(), settings.maxRequestInterval());
    }

    /** The settings in force. */
    public ReconcileSettings settings() {
        return settings;
    }

    /**
     * One pass; what it did. A failing bucket or cluster ends the pass without acting (the next pass tries again).
     */
    public synchronized ReconcileReport run() {
        Instant now = clock.instant();
        ReconcileReport.Builder report = new ReconcileReport.Builder();
        List<FunctionBucket.StoredObject> objects = new ArrayList<>();
        Map<String, Service> services = new HashMap<>();
        try {
            cluster.functionServices().forEach(s -> services.put(s.getMetadata().getName(), s));
            String next = null;
            do {
                FunctionBucket.Page page = bucket.list(settings.bucket(), next, settings.pageSize());
                objects.addAll(page.objects());
                next = page.next();
            } while (next != null);
        } catch (RuntimeException e) {
            LOG.warnf("reconcile: pass skipped, nothing decided: %s", e.getMessage());
            return report.failed(e.getMessage());
        }
        report.listed(objects.size());
        Set<String> listedKeys = new HashSet<>();
        Map<String, List<Candidate>> byService = new HashMap<>();
        for (FunctionBucket.StoredObject o : objects) {
            listedKeys.add(o.key());
            try {
                FunctionKey key = FunctionKey.parse(o.key());
                byService.computeIfAbsent(key.serviceName(), n -> new ArrayList<>()).add(new Candidate(key, o));
            } catch (InvalidFunctionKeyException e) {
                report.invalid();
            }
        }
        List<Candidate> wanted = new ArrayList<>();
        for (Map.Entry<String, List<Candidate>> e : byService.entrySet()) {
            Candidate c = choose(services.get(e.getKey()), e.getValue());
            if (c == null) {
                report.upToDate();
            } else if (c.object().lastModified().isAfter(now.minus(settings.grace()))) {
                report.young();
            } else {
                wanted.add(c);
            }
        }
        requestBuilds(wanted, services, now, report);
        removeMissing(services.values(), listedKeys, report);
        return report.build();
    }

    /**
     * The object a Service should run: the one it was built from when that is still listed, else the newest of the
     * keys that make its name; {@code null} when it runs it already or belongs to another scope (not ours to fix).
     */
    private Candidate choose(Service service, List<Candidate> candidates) {
        if (service == null) {
            return candidates.stream().max(Comparator.comparing(c -> c.object().lastModified())).orElseThrow();
        }
        String source = annotation(service, Labels.SOURCE);
        Candidate chosen = candidates.stream().filter(c -> source.equals(uri(c.key().key()))).findFirst()
                .orElseGet(() -> candidates.stream().max(Comparator.comparing(c -> c.object().lastModified())).orElseThrow());
        String scope = service.getMetadata().getLabels() == null ? null : service.getMetadata().getLabels().get(Labels.SCOPE);
        if (!chosen.key().scope().equals(scope)) {
            return null;
        }
        boolean current = source.equals(uri(chosen.key().key()))
                && chosen.object().eTag() != null && chosen.object().eTag().equals(annotation(service, Labels.SOURCE_ETAG));
        return current ? null : chosen;
    }

    private void requestBuilds(List<Candidate> wanted, Map<String, Service> services, Instant now,
            ReconcileReport.Builder report) {
        wanted.sort(Comparator.comparing(c -> c.object().lastModified()));
        Set<String> pending = new HashSet<>();
        int requested = 0;
        for (Candidate c : wanted) {
            String version = c.key().key() + "\n" + c.object().eTag();
            pending.add(version);
            if (requested >= settings.maxActions() || !backoff.due(version, now)) {
                report.deferred();
                continue;
            }
            String id = "reconcile-" + sha256(settings.bucket() + "\n" + version).substring(0, 32);
            String why = why(services.get(c.key().serviceName()), c);
            String refused = events.publish(EventTypes.BUILD_REQUESTED, id, c.key().id(),
                    new BuildRequested(settings.bucket(), c.key().key(), null));
            if (refused != null) {
                LOG.warnf("reconcile: build.requested for s3://%s/%s (%s) not published: %s", settings.bucket(),
                        c.key().key(), why, refused);
                report.deferred();
                continue;
            }
            backoff.asked(version, now);
            requested++;
            report.buildRequested();
            LOG.infof("reconcile: build.requested id=%s for s3://%s/%s: %s", id, settings.bucket(), c.key().key(), why);
        }
        backoff.retainOnly(pending);
    }

    private void removeMissing(Iterable<Service> services, Set<String> listedKeys, ReconcileReport.Builder report) {
        String prefix = "s3://" + settings.bucket() + "/";
        int removed = 0;
        for (Service service : services) {
            String source = annotation(service, Labels.SOURCE);
            if (!source.startsWith(prefix) || listedKeys.contains(source.substring(prefix.length()))) {
                continue;
            }
            FunctionKey key;
            try {
                key = FunctionKey.parse(source.substring(prefix.length()));
            } catch (InvalidFunctionKeyException e) {
                continue;
            }
            if (removed >= settings.maxActions()) {
                report.deferred();
                continue;
            }
            DeployOutcome outcome;
            try {
                outcome = removals.removeIfGone(settings.bucket(), key);
            } catch (RuntimeException e) {
                LOG.warnf("reconcile: removal of %s (s3://%s/%s missing) not decided: %s", service.getMetadata().getName(),
                        settings.bucket(), key.key(), e.getMessage());
                report.deferred();
                continue;
            }
            if (outcome instanceof DeployOutcome.Deleted deleted) {
                removed++;
                report.removed();
                String id = UUID.nameUUIDFromBytes(("reconcile-deleted\n" + service.getMetadata().getNamespace() + "/"
                        + service.getMetadata().getName() + "\n" + service.getMetadata().getUid())
                        .getBytes(StandardCharsets.UTF_8)).toString();
                String refused = events.publish(EventTypes.FUNCTION_DELETED, id, key.id(), deleted.event());
                LOG.infof("reconcile: function %s removed, s3://%s/%s is gone; function.deleted id=%s%s",
                        service.getMetadata().getName(), settings.bucket(), key.key(), id,
                        refused == null ? "" : " not published: " + refused);
            }
        }
    }

    private String why(Service service, Candidate c) {
        if (service == null) {
            return "not deployed";
        }
        String deployed = annotation(service, Labels.SOURCE);
        if (!deployed.equals(uri(c.key().key()))) {
            return "deployed from " + deployed;
        }
        return "deployed ETag " + (annotation(service, Labels.SOURCE_ETAG).isEmpty() ? "unknown"
                : annotation(service, Labels.SOURCE_ETAG)) + ", bucket ETag " + c.object().eTag();
    }

    private String uri(String key) {
        return "s3://" + settings.bucket() + "/" + key;
    }

    private static String annotation(Service s, String name) {
        Map<String, String> a = s.getMetadata().getAnnotations();
        return a == null || a.get(name) == null ? "" : a.get(name);
    }

    private static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }

    /** A function object of the listing and its parsed key. */
    private record Candidate(FunctionKey key, FunctionBucket.StoredObject object) {
    }
}
