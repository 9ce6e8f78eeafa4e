package io.knative.lambda.localcluster.serving;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import io.fabric8.knative.duck.v1.AddressableBuilder;
import io.fabric8.knative.pkg.apis.Condition;
import io.fabric8.knative.serving.v1.Revision;
import io.fabric8.knative.serving.v1.RevisionStatus;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.serving.v1.ServiceStatus;
import io.fabric8.knative.serving.v1.TrafficTarget;
import io.fabric8.knative.serving.v1.TrafficTargetBuilder;
import io.knative.lambda.localcluster.serving.Conditions.Value;

/**
 * Knative Serving's controller, reduced to what a Service needs on one machine: each new template becomes
 * the next Revision ({@code {service}-00001}, ...); the latest created revision and the revisions the traffic
 * names are run by the {@link RevisionRunner}, the others stopped; the Service's status gets
 * {@code latestCreatedRevisionName}, {@code latestReadyRevisionName}, {@code observedGeneration}, the traffic
 * (honouring {@code spec.traffic} pins), the URL and address, and the conditions {@code ConfigurationsReady},
 * {@code RoutesReady} and {@code Ready} with Knative's reasons ({@code RevisionFailed}, {@code RevisionMissing}).
 * Level-based and idempotent: {@link #reconcile} reads everything, writes only what differs.
 */
public final class ServingController {

    private final ServingObjects objects;
    private final RevisionRunner runner;
    private final String domain;
    private final Conditions conditions;

    /**
     * @param domain the domain of Service URLs ({@code http://{name}.{namespace}.{domain}}), or {@code null} to give
     *               each Service the endpoint of the revision that takes its traffic (local mode's processes)
     */
    public ServingController(ServingObjects objects, RevisionRunner runner, String domain, Clock clock) {
        this.objects = objects;
        this.runner = runner;
        this.domain = domain;
        this.conditions = new Conditions(clock);
    }

    /** A revision was deleted (with its Service, or by hand): its instance stops. */
    public void revisionDeleted(String namespace, String revision) {
        runner.stop(namespace, revision);
    }

    /**
     * Brings the Service's revisions, instances and status in line with its spec.
     *
     * @throws ServingObjects.Conflict when a write lost a race: reconcile again
     */
    public void reconcile(String namespace, String name) {
        Optional<Service> found = objects.service(namespace, name);
        if (found.isEmpty()) {
            return; // its revisions are deleted with it (owner references), which stops them
        }
        Service service = found.get();
        List<Revision> revisions = new ArrayList<>(objects.revisions(namespace, name));
        revisions.sort(Comparator.comparingLong(Revisions::number));
        String hash = Revisions.hash(service.getSpec().getTemplate());
        Revision latest = revisions.isEmpty() ? null : revisions.get(revisions.size() - 1);
        if (latest == null || !Revisions.madeFrom(latest, hash)) {
            latest = objects.createRevision(Revisions.next(service, latest == null ? 1 : Revisions.number(latest) + 1));
            revisions.add(latest);
        }

        Map<String, RevisionState> running = new LinkedHashMap<>();
        Revision latestCreated = run(latest, revisions, running);
        Value configuration = configurationValue(latestCreated, running.get(latestCreated.getMetadata().getName()));
        Revision latestReady = revisions.stream().filter(Revisions::isReady).reduce((a, b) -> b).orElse(null);

        List<TrafficTarget> wanted = service.getSpec().getTraffic() == null || service.getSpec().getTraffic().isEmpty()
                ? List.of(new TrafficTargetBuilder().withLatestRevision(true).withPercent(100L).build())
                : service.getSpec().getTraffic();
        List<TrafficTarget> routed = new ArrayList<>();
        Value routes = Value.TRUE;
        String endpoint = null;
        long largest = -1;
        for (TrafficTarget t : wanted) {
            boolean latestTarget = Boolean.TRUE.equals(t.getLatestRevision());
            String target = latestTarget ? (latestReady == null ? null : latestReady.getMetadata().getName())
                    : t.getRevisionName();
            Value route;
            Revision revision = target == null ? null : find(revisions, target);
            if (revision != null && !running.containsKey(target)) {
                run(revision, revisions, running);
            }
            RevisionState state = revision == null ? null : running.get(target);
            if (target == null) {
                route = configuration.is("False") ? Value.isFalse("RevisionMissing", "Configuration \"" + name
                        + "\" does not have any ready Revision.") : Value.unknown("RevisionMissing", "Configuration \""
                        + name + "\" is waiting for a Revision to become ready.");
            } else if (revision == null) {
                route = Value.isFalse("RevisionMissing", "Revision \"" + target + "\" referenced in traffic not found.");
            } else if (state instanceof RevisionState.Failed f) {
                route = Value.isFalse("RevisionFailed", "Revision \"" + target + "\" failed with message: " + f.message() + ".");
            } else if (state instanceof RevisionState.Pending p) {
                route = Value.unknown(p.reason(), p.message());
            } else {
                route = Value.TRUE;
                long percent = t.getPercent() == null ? 0 : t.getPercent();
                if (percent > largest) {
                    largest = percent;
                    endpoint = ((RevisionState.Ready) state).endpoint();
                }
            }
            routed.add(new TrafficTargetBuilder().withRevisionName(target).withLatestRevision(latestTarget)
                    .withPercent(t.getPercent()).withTag(t.getTag()).build());
            routes = Conditions.ready(List.of(routes, route));
        }
        for (Revision r : revisions) {
            if (!running.containsKey(r.getMetadata().getName())) {
                runner.stop(namespace, r.getMetadata().getName()); // scaled to zero: no traffic, not the latest
            }
        }
        writeStatus(service, latestCreated, latestReady, configuration, routes, routes.is("True") ? routed : null, endpoint);
    }

    /** Runs {@code revision}, records its state in {@code running} and on its status; the revision as now stored. */
    private Revision run(Revision revision, List<Revision> revisions, Map<String, RevisionState> running) {
        RevisionState state = runner.run(revision);
        running.put(revision.getMetadata().getName(), state);
        Condition before = Revisions.ready(revision);
        Value value = state instanceof RevisionState.Failed f ? Value.isFalse(f.reason(), f.message())
                : state instanceof RevisionState.Ready ? Value.TRUE
                : Revisions.isReady(revision) ? Value.TRUE // was ready: starting again from zero keeps it Ready
                : Value.unknown(((RevisionState.Pending) state).reason(), ((RevisionState.Pending) state).message());
        if (before != null && Objects.equals(before.getStatus(), value.status()) && Objects.equals(before.getReason(),
                value.reason()) && Objects.equals(before.getMessage(), value.message())) {
            return revision;
        }
        RevisionStatus status = revision.getStatus() == null ? new RevisionStatus() : revision.getStatus();
        status.setObservedGeneration(revision.getMetadata().getGeneration());
        status.setConditions(List.of(conditions.condition("Ready", value, status.getConditions())));
        revision.setStatus(status);
        Revision stored = objects.updateRevisionStatus(revision);
        revisions.replaceAll(r -> r.getMetadata().getName().equals(stored.getMetadata().getName()) ? stored : r);
        return stored;
    }

    private static Value configurationValue(Revision latest, RevisionState state) {
        String name = latest.getMetadata().getName();
        if (state instanceof RevisionState.Failed f) {
            return Value.isFalse("RevisionFailed", "Revision \"" + name + "\" failed with message: " + f.message() + ".");
        }
        if (state instanceof RevisionState.Pending p && !Revisions.isReady(latest)) {
            return Value.unknown(p.reason(), p.message());
        }
        return Value.TRUE;
    }

    private void writeStatus(Service service, Revision latestCreated, Revision latestReady, Value configuration, Value routes,
            List<TrafficTarget> traffic, String endpoint) {
        ServiceStatus before = service.getStatus();
        List<Condition> previous = before == null ? null : before.getConditions();
        ServiceStatus next = new ServiceStatus();
        next.setObservedGeneration(service.getMetadata().getGeneration());
        next.setLatestCreatedRevisionName(latestCreated.getMetadata().getName());
        next.setLatestReadyRevisionName(latestReady == null ? null : latestReady.getMetadata().getName());
        next.setConditions(List.of(conditions.condition("ConfigurationsReady", configuration, previous),
                conditions.condition("Ready", Conditions.ready(List.of(routes, configuration)), previous),
                conditions.condition("RoutesReady", routes, previous)));
        if (traffic != null) {
            String name = service.getMetadata().getName();
            String namespace = service.getMetadata().getNamespace();
            String url = domain != null ? "http://" + name + "." + namespace + "." + domain : endpoint;
            String address = domain != null ? "http://" + name + "." + namespace + ".svc.cluster.local" : endpoint;
            next.setTraffic(traffic);
            next.setUrl(url);
            next.setAddress(address == null ? null : new AddressableBuilder().withUrl(address).build());
        } else if (before != null) { // the route keeps serving what it served until the new one is ready
            next.setTraffic(before.getTraffic());
            next.setUrl(before.getUrl());
            next.setAddress(before.getAddress());
        }
        if (!next.equals(before)) {
            service.setStatus(next);
            objects.updateServiceStatus(service);
        }
    }

    private static Revision find(List<Revision> revisions, String name) {
        return revisions.stream().filter(r -> name.equals(r.getMetadata().getName())).findFirst().orElse(null);
    }
}
